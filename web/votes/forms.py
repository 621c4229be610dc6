from django import forms
from django.utils.translation import gettext_lazy

from core.text import LineField, TextField
from votes.staff import NAME_MAX_LENGTH, NOTE_MAX_LENGTH


class RecordVoteForm(forms.Form):
    """A product manager records a customer's vote (votes.staff.vote_record_for_customer)."""

    email = forms.EmailField(label=gettext_lazy("Customer email"), max_length=254)
    name = LineField(
        label=gettext_lazy("Customer name (optional)"), required=False, max_length=NAME_MAX_LENGTH
    )
    # A choice, not two buttons: "Promote" and "Demote" buttons are the vote widget's names.
    value = forms.TypedChoiceField(
        label=gettext_lazy("Vote"),
        choices=[("1", gettext_lazy("Promote")), ("-1", gettext_lazy("Demote"))],
        coerce=int,
    )
    note = TextField(
        label=gettext_lazy("Note"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Where the vote comes from: a call, an email, a meeting."),
    )

    def __init__(self, *args, **kwargs):
        # Its own ids: the idea page has other forms with an "email" or a "note".
        kwargs.setdefault("auto_id", "record-vote-%s")
        super().__init__(*args, **kwargs)
