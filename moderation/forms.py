from django import forms
from django.urls import reverse

from moderation.models import NOTE_MAX_LENGTH, Flag


class FlagForm(forms.Form):
    """The flag control's fields. The rules (a note for "other", no flagging twice) live in
    moderation.services.flag_create."""

    reason = forms.ChoiceField(
        label="Reason",
        choices=[("", "Reason…"), *Flag.Reason.choices],
        error_messages={"required": "Choose a reason.", "invalid_choice": "Choose a reason."},
    )
    note = forms.CharField(label="Note", max_length=NOTE_MAX_LENGTH, required=False)

    def __init__(self, *args, target_id: str, **kwargs):
        # Ids unique per target: a page holds one of these per idea and per comment.
        super().__init__(*args, auto_id=f"{target_id}-%s", **kwargs)
        self.fields["note"].widget.attrs["placeholder"] = "Note (optional)"


def flag_control(target, *, data=None, flagged: bool = False) -> dict:
    """What templates/moderation/flag_control.html needs for one idea or comment."""
    kind = target._meta.model_name
    dom_id = f"flag-{kind}-{target.pk}"
    return {
        "kind": kind,
        "target": target,
        "dom_id": dom_id,
        "action": reverse(f"{kind}-flag", args=[target.pk]),
        "form": FlagForm(data, target_id=dom_id),
        "flagged": flagged,
    }
