"""Votes a product manager records for a customer, from a call or an email.

The vote is the customer's own: the member with that email, or an account made for them
(recorded_customer, no password) that they claim by signing up with the same email
(actions.accounts.member_sign_up). It goes through vote_cast like any vote, so the counts stay
exact and a customer counts once however many times their vote is recorded."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction

from accounts.models import User
from accounts.services import recorded_customer_for
from core.audit import audit_record
from core.roles import ensure_not_banned, is_product_manager
from ideas.models import Idea
from votes.models import Vote
from votes.services import VoteState, vote_cast

NOTE_MAX_LENGTH = Vote._meta.get_field("recorded_note").max_length
NAME_MAX_LENGTH = User._meta.get_field("first_name").max_length


@dataclass(frozen=True)
class RecordedVote:
    customer: User
    account_created: bool
    # "recorded" (a new vote), "switched" (the customer's vote now has the other value) or
    # "unchanged" (the customer had already voted so).
    outcome: str
    state: VoteState

    @property
    def message(self) -> str:
        who = self.customer.email
        side = "promote" if self.state.my_vote == 1 else "demote"
        if self.outcome == "unchanged":
            return f"{who} had already voted {side}: the vote counts once, nothing changed."
        if self.outcome == "switched":
            return f"{who} had voted the other way: their vote is now {side}."
        if self.account_created:
            return (
                f"Vote recorded: {side} for {who}, on a new account they claim by signing up "
                "with that email."
            )
        return f"Vote recorded: {side} for {who}."


def _validated(*, value: int, email: str, name: str, note: str) -> tuple[str, str, str]:
    errors = {}
    email, name, note = (email or "").strip(), (name or "").strip(), (note or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = "Enter the customer's email address."
    if value not in (Vote.PROMOTE, Vote.DEMOTE):
        errors["value"] = "Choose Promote or Demote."
    if not note:
        errors["note"] = "Say where the vote comes from: a call, an email, a meeting."
    elif len(note) > NOTE_MAX_LENGTH:
        errors["note"] = f"Keep the note under {NOTE_MAX_LENGTH} characters."
    if len(name) > NAME_MAX_LENGTH:
        errors["name"] = f"Keep the name under {NAME_MAX_LENGTH} characters."
    if errors:
        raise ValidationError(errors)
    return email, name, note


def vote_record_for_customer(
    *, staff, idea: Idea | int, value: int, email: str, name: str = "", note: str
) -> RecordedVote:
    """A product manager records a customer's promote (1) or demote (-1). It is the vote of the
    member with that email, or of an account made for the customer; if they had voted, it is
    the same vote (switched if the value differs, unchanged otherwise). Audited."""
    if not is_product_manager(staff):
        raise PermissionDenied("Only product managers record customers' votes.")
    ensure_not_banned(staff)
    email, name, note = _validated(value=value, email=email, name=name, note=note)
    idea_id = getattr(idea, "pk", idea)
    with transaction.atomic():
        idea = Idea.objects.visible().filter(pk=idea_id).first()
        if idea is None:
            raise ValidationError({"idea": "This idea is not on the board: no vote can go on it."})
        customer, created = recorded_customer_for(email, name)
        if customer.is_banned:
            raise ValidationError({"email": "This member is banned: their vote can't be recorded."})
        # Locked first, in the vote path's order (vote row, then idea row).
        previous = (
            Vote.objects.select_for_update()
            .filter(voter=customer, idea=idea)
            .values_list("value", flat=True)
            .first()
        )
        state = vote_cast(voter=customer, idea=idea, value=value)
        if previous is None:
            outcome = "recorded"
        elif previous != value:
            outcome = "switched"
        else:
            outcome = "unchanged"
        if outcome != "unchanged":
            Vote.objects.filter(voter=customer, idea=idea).update(
                recorded_by=staff, recorded_note=note
            )
        audit_record(
            actor=staff,
            action="vote.recorded",
            target=idea,
            reason=note,
            after={
                "customer_id": customer.pk,
                "customer": customer.username,
                "value": value,
                "outcome": outcome,
                "account_created": created,
            },
        )
    return RecordedVote(customer=customer, account_created=created, outcome=outcome, state=state)
