import re

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.text import LineField
from moderation.models import NOTE_MAX_LENGTH, Flag
from web.moderation.audit_text import action_label


class FlagForm(forms.Form):
    """The flag control's fields. The rules (a note for "other", no flagging twice) live in
    moderation.services.flag_create."""

    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", _("Reason…")), *Flag.Reason.choices],
        error_messages={"required": _("Choose a reason."), "invalid_choice": _("Choose a reason.")},
    )
    note = LineField(label=_("Note"), max_length=NOTE_MAX_LENGTH, required=False)

    def __init__(self, *args, target_id: str, **kwargs):
        # Ids unique per target: a page holds one of these per idea and per comment.
        super().__init__(*args, auto_id=f"{target_id}-%s", **kwargs)
        self.fields["note"].widget.attrs["placeholder"] = _("Note (optional)")


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


# The moderators' side: the queue, the controls on ideas and comments, bans, the audit log.

ACTION_CHOICES = [("hide", _("Hide")), ("restore", _("Restore")), ("dismiss", _("Dismiss flags"))]
BAN_DAYS_CHOICES = [
    ("1", _("1 day")),
    ("3", _("3 days")),
    ("7", _("7 days")),
    ("30", _("30 days")),
    ("365", _("1 year")),
    ("", _("Until lifted")),
]
MODERATION_REASON_MAX_LENGTH = 500
_ID = re.compile(r"[0-9]{1,18}")  # as core.converters.IdConverter


class ModerationActionForm(forms.Form):
    """Hide, Restore or Dismiss flags on one item; the services say when a reason is needed."""

    reason = LineField(label=_("Reason"), max_length=MODERATION_REASON_MAX_LENGTH, required=False)


class TargetsField(forms.Field):
    """Checked items of the queue, each "idea:ID" or "comment:ID", as (kind, id) pairs."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Select at least one item."),
        "invalid": _("That selection is not valid."),
    }

    def to_python(self, value) -> list[tuple[str, int]]:
        pairs = []
        for raw in value or []:
            kind, _colon, pk = str(raw).partition(":")
            # ASCII digits that fit an id column: "²" is a digit to str.isdigit, not to int().
            if kind not in ("idea", "comment") or not _ID.fullmatch(pk):
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            pairs.append((kind, int(pk)))
        return pairs


class BulkActionForm(ModerationActionForm):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("", _("Action…")), *ACTION_CHOICES],
        error_messages={
            "required": _("Choose an action."),
            "invalid_choice": _("Choose an action."),
        },
    )
    targets = TargetsField()


class CaseDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("release", _("Release"))])
    reason = LineField(label=_("Reason"), max_length=MODERATION_REASON_MAX_LENGTH, required=False)
    ban_accounts = forms.BooleanField(label=_("Ban the accounts"), required=False)
    ban_reason = LineField(label=_("Ban reason"), max_length=300, required=False)
    ban_days = forms.IntegerField(
        label=_("Ban for"),
        min_value=1,
        max_value=3650,
        required=False,
        widget=forms.Select(choices=BAN_DAYS_CHOICES),
    )


class BanForm(forms.Form):
    reason = LineField(
        label=_("Reason"),
        max_length=300,
        error_messages={"required": _("Say why the member is banned.")},
    )
    days = forms.IntegerField(
        label=_("Duration"),
        min_value=1,
        max_value=3650,
        required=False,
        initial="7",
        widget=forms.Select(choices=BAN_DAYS_CHOICES),
    )

    def __init__(self, *args, **kwargs):
        # Ids unique on the page (the profile also holds idea cards with their own forms).
        super().__init__(*args, auto_id="ban-%s", **kwargs)


class LiftBanForm(forms.Form):
    reason = LineField(label=_("Reason"), max_length=300, required=False)


AUDIT_TARGET_TYPES = [
    ("", _("Anything")),
    ("idea", _("Ideas")),
    ("comment", _("Comments")),
    ("user", _("Users")),
    ("stuffingcase", _("Vote-stuffing cases")),
]


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = LineField(label=_("Moderator"), max_length=150, required=False)
    target_type = forms.ChoiceField(label=_("Target"), required=False, choices=AUDIT_TARGET_TYPES)

    def __init__(self, *args, actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [
            ("", _("Any action")),
            *((a, action_label(a)) for a in actions),
        ]
