from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ideas.models import Category, Status, Tag
from storms.models import StormSession


class IdeaFilterForm(forms.Form):
    """The filters of the dashboard's table and of the exports, from the query string. Unlike
    the public list's filters, a bad value is an error the product manager is told about: an
    export must never quietly hold other ideas than the ones asked for."""

    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=Category.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=gettext_lazy("All categories"),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("Any status")), *Status.choices],
        required=False,
    )
    tag = forms.ModelChoiceField(
        label=gettext_lazy("Tag"),
        queryset=Tag.objects.in_use(),
        to_field_name="slug",
        required=False,
        empty_label=gettext_lazy("Any tag"),
    )
    created_from = forms.DateField(
        label=gettext_lazy("Created from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_to = forms.DateField(
        label=gettext_lazy("Created until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    session = forms.ModelChoiceField(
        label=gettext_lazy("Storm Session"),
        queryset=StormSession.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=gettext_lazy("Any session"),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            self.add_error("created_to", _("The end date comes before the start date."))
        return data

    def apply(self, ideas, prefix: str = ""):
        """Filter a queryset of ideas (or of rows pointing to ideas through `prefix`, such as
        "idea__") by the cleaned values."""
        data = self.cleaned_data
        lookups = {
            "category": data.get("category"),
            "status": data.get("status"),
            "tags": data.get("tag"),
            "created_at__date__gte": data.get("created_from"),
            "created_at__date__lte": data.get("created_to"),
            "session": data.get("session"),
        }
        return ideas.filter(**{prefix + k: v for k, v in lookups.items() if v})

    def error_text(self) -> str:
        """The reasons, one line per field, for a plain-text 400."""
        lines = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else _("Filters")
            lines.append(f"{label}: {' '.join(errors)}")
        return "\n".join(lines)
