from django import forms

from ideas.models import SORTS, TITLE_MAX_LENGTH, Category, Status
from ideas.services import MAX_TAGS

DESCRIPTION_MAX_LENGTH = 10_000
RESPONSE_MAX_LENGTH = 10_000
# The member-only list filters: their own ideas, ideas they voted on, ideas they follow.
SHOW_CHOICES = [
    ("mine", "My ideas"),
    ("voted", "Ideas I voted on"),
    ("following", "Ideas I follow"),
]


class TagsField(forms.CharField):
    """Comma-separated tag names, as a list."""

    def to_python(self, value) -> list[str]:
        text = super().to_python(value)
        return [name.strip() for name in text.split(",") if name.strip()]

    def validate(self, value) -> None:
        if len(value) > MAX_TAGS:
            raise forms.ValidationError(f"Use at most {MAX_TAGS} tags.")
        for name in value:
            if len(name) > 40:
                raise forms.ValidationError(f"“{name[:40]}…” is too long: 40 characters at most.")


class IdeaForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=TITLE_MAX_LENGTH,
        help_text=f"One sentence, at most {TITLE_MAX_LENGTH} characters.",
        error_messages={"required": "Give your idea a title."},
    )
    description = forms.CharField(
        label="Description",
        max_length=DESCRIPTION_MAX_LENGTH,
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
    tags = TagsField(
        label="Tags",
        required=False,
        max_length=300,
        help_text=f"Optional: up to {MAX_TAGS} words, separated by commas (battery, mobile).",
    )


class IdeaFilterForm(forms.Form):
    """The list's query string. Bad values are dropped, never an error page."""

    sort = forms.ChoiceField(choices=[(s, s) for s in SORTS], required=False)
    category = forms.SlugField(required=False)
    status = forms.ChoiceField(choices=Status.choices, required=False)
    tag = forms.SlugField(required=False, max_length=40)
    show = forms.ChoiceField(choices=SHOW_CHOICES, required=False)
    q = forms.CharField(required=False, max_length=200, strip=True)

    def cleaned(self) -> dict:
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields}
        for name in self.errors:
            data[name] = ""
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=Status.choices)
    response = forms.CharField(
        label="Official response",
        required=False,
        max_length=RESPONSE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Markdown. Shown prominently on the idea page; followers are notified. "
        "Declining needs one.",
    )

    def clean(self):
        data = super().clean()
        if data.get("status") == Status.DECLINED and not (data.get("response") or "").strip():
            self.add_error("response", "Say why the idea is declined: customers asked for that.")
        return data
