from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from board.images import logo_clean
from board.models import SORT_CHOICES, BoardSettings
from board.services import accent_check
from core.text import LineField, TextField
from ideas.models import Category


def _max(field: str) -> int:
    return BoardSettings._meta.get_field(field).max_length


class BoardSettingsForm(forms.Form):
    name = LineField(
        label=gettext_lazy("Board name"),
        max_length=_max("name"),
        help_text=gettext_lazy("In the header, the page titles and emails."),
        error_messages={"required": gettext_lazy("Give the board a name.")},
    )
    tagline = LineField(
        label=gettext_lazy("Tagline"),
        max_length=_max("tagline"),
        required=False,
        help_text=gettext_lazy("One line under the name on the home page and in the footer."),
    )
    welcome = TextField(
        label=gettext_lazy("Welcome text"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Shown on the home page above the ideas. Markdown works."),
    )
    meta_description = LineField(
        label=gettext_lazy("Description for search engines"),
        max_length=_max("meta_description"),
        required=False,
        help_text=gettext_lazy("160 characters at most: what search results show under the name."),
    )
    logo = forms.FileField(
        label=gettext_lazy("Logo"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}
        ),
        help_text=gettext_lazy(
            "PNG, JPEG, GIF or WebP, 2 MB at most; shown 40 pixels high in the header."
        ),
    )
    remove_logo = forms.BooleanField(label=gettext_lazy("Remove the logo"), required=False)
    accent = LineField(
        label=gettext_lazy("Accent colour"),
        max_length=7,
        help_text=gettext_lazy(
            "# and six hex digits, for buttons and links. It must pass WCAG AA contrast "
            "(4.5:1) against white."
        ),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    sorts = forms.MultipleChoiceField(
        label=gettext_lazy("Orders offered on the idea list"),
        choices=SORT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Keep at least one order for the idea list.")},
    )
    default_sort = forms.ChoiceField(
        label=gettext_lazy("Default order"), choices=SORT_CHOICES, widget=forms.RadioSelect
    )
    storms_enabled = forms.BooleanField(
        label=gettext_lazy("Storm Sessions (time-boxed idea campaigns)"), required=False
    )
    downvotes_enabled = forms.BooleanField(
        label=gettext_lazy("Members may demote ideas"), required=False
    )
    anonymous_reading = forms.BooleanField(
        label=gettext_lazy("Visitors may read the board without logging in"), required=False
    )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(self.fields["name"].error_messages["required"])
        return name

    def clean_accent(self):
        return accent_check(self.cleaned_data["accent"])

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        return logo_clean(upload) if upload else None

    def clean(self):
        data = super().clean()
        sorts, default = data.get("sorts"), data.get("default_sort")
        if sorts and default and default not in sorts:
            self.add_error(
                "default_sort", gettext_lazy("The default order must be one of those offered.")
            )
        return data


class CategoryForm(forms.Form):
    name = LineField(
        label=gettext_lazy("Name"),
        max_length=60,
        error_messages={"required": gettext_lazy("Give the category a name.")},
    )
    slug = forms.SlugField(
        label=gettext_lazy("Address"),
        max_length=60,
        required=False,
        help_text=gettext_lazy(
            "Letters, digits and hyphens, for /ideas/?category=…; made from the name if left empty."
        ),
    )
    description = LineField(
        label=gettext_lazy("Description"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("One line shown with the category: what belongs in it."),
    )


class CategoryMergeForm(forms.Form):
    target = forms.ModelChoiceField(
        label=gettext_lazy("Merge into"),
        queryset=Category.objects.active(),
        to_field_name="slug",
        empty_label=gettext_lazy("Choose a category"),
        error_messages={
            "required": gettext_lazy("Choose the category its ideas go to."),
            "invalid_choice": gettext_lazy("Choose an open category from the list."),
        },
    )

    def __init__(self, *args, source: Category | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if source is not None:
            self.fields["target"].queryset = Category.objects.active().exclude(pk=source.pk)
