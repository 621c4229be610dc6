from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.text import LineField, TextField
from ideas.models import Category

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
# Marks a field for the live "n of N" counter (static/js/counter.js).
COUNTED = {"data-counter": ""}


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_FORMAT)


class StormForm(forms.Form):
    title = LineField(
        label=gettext_lazy("Title"),
        max_length=120,
        widget=forms.TextInput(attrs=COUNTED),
        help_text=gettext_lazy("The topic, e.g. “Notebooks for students”. Up to 120 characters."),
        error_messages={"required": gettext_lazy("Give the session a title.")},
    )
    description = TextField(
        label=gettext_lazy("Description"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, **COUNTED}),
        help_text=gettext_lazy(
            "What you want ideas about, and what you will do with them. Markdown works. "
            "Up to 10,000 characters."
        ),
    )
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts"),
        widget=DateTimeLocalInput(),
        help_text=gettext_lazy("UTC."),
        error_messages={
            "required": gettext_lazy("Say when the session starts."),
            "invalid": gettext_lazy("Enter a date and time, e.g. 2027-03-01 09:00."),
        },
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Ends"),
        widget=DateTimeLocalInput(),
        help_text=gettext_lazy(
            "UTC. Ideas are taken until then; afterwards the session is read-only."
        ),
        error_messages={
            "required": gettext_lazy("Say when the session ends."),
            "invalid": gettext_lazy("Enter a date and time, e.g. 2027-03-15 18:00."),
        },
    )
    categories = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Categories"),
        queryset=Category.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Optional: ideas in this session must be in one of these. None means any."
        ),
    )

    def clean(self):
        data = super().clean()
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The end must be after the start."))
        return data
