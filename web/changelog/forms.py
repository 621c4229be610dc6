import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from changelog.models import TITLE_MAX_LENGTH
from changelog.services import MAX_IDEAS
from core.text import LineField, TextField
from ideas.models import Idea

# "12", "#12", "/ideas/12/", "https://board.example.com/ideas/12/some-slug/"
_IDEA_REFERENCE = re.compile(r"(?:/ideas/|#)?(\d{1,12})(?:/[\w-]*)*/?$")

WHEN_CHOICES = [
    ("now", gettext_lazy("Publish now")),
    ("schedule", gettext_lazy("Schedule")),
    ("draft", gettext_lazy("Save as draft")),
]
# Marks a field for the live "n of N" counter (static/js/counter.js).
COUNTED = {"data-counter": ""}


class IdeaReferencesField(LineField):
    """Ideas by number or link, separated by commas or spaces; each must be on the board."""

    def clean(self, value):
        value = super().clean(value)
        numbers, unknown = [], []
        for part in re.split(r"[,\s]+", value or ""):
            if not part:
                continue
            match = _IDEA_REFERENCE.search(part)
            if match is None:
                unknown.append(part)
                continue
            if int(match.group(1)) not in numbers:
                numbers.append(int(match.group(1)))
        if unknown:
            raise forms.ValidationError(
                _("“%(part)s” is not an idea's number or link.") % {"part": unknown[0][:60]}
            )
        if len(numbers) > MAX_IDEAS:
            raise forms.ValidationError(_("Link %(max)s ideas at most.") % {"max": MAX_IDEAS})
        found = Idea.objects.visible().in_bulk(numbers)
        missing = [n for n in numbers if n not in found]
        if missing:
            raise forms.ValidationError(
                _(
                    "No idea #%(number)s on the board: only ideas everyone sees can be linked "
                    "(not hidden, withdrawn, waiting for review or merged)."
                )
                % {"number": missing[0]}
            )
        return [found[n] for n in numbers]


class EntryForm(forms.Form):
    title = LineField(
        label=gettext_lazy("Title"),
        max_length=TITLE_MAX_LENGTH,
        widget=forms.TextInput(attrs=COUNTED),
        help_text=format_lazy(gettext_lazy("Up to {max} characters."), max=TITLE_MAX_LENGTH),
        error_messages={"required": gettext_lazy("Give the entry a title.")},
    )
    body = TextField(
        label=gettext_lazy("What shipped"),
        max_length=20_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, **COUNTED}),
        help_text=gettext_lazy(
            "Markdown works. Say what changed and how to use it. Up to 20,000 characters."
        ),
    )
    ideas = IdeaReferencesField(
        label=gettext_lazy("Ideas it ships"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy(
            "Numbers or links, separated by commas: 12, 15. On publishing they become "
            "Implemented and everyone who voted on or follows them is told."
        ),
    )
    when = forms.ChoiceField(
        label=gettext_lazy("Publish"),
        choices=WHEN_CHOICES,
        initial="now",
        widget=forms.RadioSelect,
    )
    publish_at = forms.DateTimeField(
        label=gettext_lazy("Publish at (UTC)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text=gettext_lazy("For “Schedule”: the entry is published within a minute of it."),
    )

    def __init__(self, *args, published: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.published = published
        if published:  # its people were told: what it ships and when stay as they are
            for name in ("ideas", "when", "publish_at"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if self.published:
            return data
        when, at = data.get("when"), data.get("publish_at")
        if when == "schedule":
            if at is None and "publish_at" not in self.errors:
                self.add_error("publish_at", _("Say when to publish it."))
            elif at is not None and at <= timezone.now():
                self.add_error("publish_at", _("Choose a time ahead, or “Publish now”."))
            elif at is not None and at > timezone.now() + dt.timedelta(days=366):
                self.add_error("publish_at", _("Schedule it within a year."))
        return data
