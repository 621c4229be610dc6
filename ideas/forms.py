from django import forms

from ideas.models import SORTS, TITLE_MAX_LENGTH, Category, Status


class IdeaForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=TITLE_MAX_LENGTH,
        help_text=f"One sentence, at most {TITLE_MAX_LENGTH} characters.",
        error_messages={"required": "Give your idea a title."},
    )
    description = forms.CharField(
        label="Description",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What should we build, and what problem would it solve? Markdown works.",
        error_messages={"required": "Describe your idea: what it is and why it matters."},
    )
    category = forms.ModelChoiceField(
        label="Category",
        queryset=Category.objects.all(),
        to_field_name="slug",
        empty_label="Choose a category",
        error_messages={
            "required": "Choose the category that fits best.",
            "invalid_choice": "That category does not exist. Choose one from the list.",
        },
    )


class IdeaFilterForm(forms.Form):
    """The list's query string. Bad values are dropped, never an error page."""

    sort = forms.ChoiceField(choices=[(s, s) for s in SORTS], required=False)
    category = forms.SlugField(required=False)
    status = forms.ChoiceField(choices=Status.choices, required=False)
    q = forms.CharField(required=False, max_length=200, strip=True)

    def cleaned(self) -> dict:
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields}
        for name in self.errors:
            data[name] = ""
        return data
