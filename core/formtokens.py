"""One submit = one write: the one-time token each create form carries.

Every rendering of a create form (an idea, a comment or reply, a Storm Session, a changelog
entry) holds a fresh random token in a hidden field. The view creates the object through
`create_once`, which records the token (per user and kind of form) in the same transaction
as the object. Posting the same form again (Back then Submit, a double click, a second tab)
finds the token taken and gets the first post's object instead of a second one. Two posts at
the same moment: the second waits on the unique index until the first commits, then finds
its object (an IntegrityError never leaves this module). A post without a token (an old page,
an API client) creates as before.

A rendering kept in the shared cache for many viewers must never hold a token: it holds
`TOKEN_MARK`, which `fill_token_marks` replaces per request, with a fresh token per form.
"""

import datetime as dt
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.utils import timezone

from core.models import FormToken

FIELD_NAME = "form_token"
# Long enough for Back, a lunch break and Submit; the periodic clean-up deletes older ones.
KEEP = dt.timedelta(days=7)
# A private-use character, never in a page: where a kept rendering wants a fresh token.
TOKEN_MARK = "\ue003form-token\ue003"
# What token_new makes (and a client may send): URL-safe base64, 16 to 64 characters.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")

T = TypeVar("T")


def token_new() -> str:
    return secrets.token_urlsafe(18)


def token_clean(value) -> str | None:
    """The posted token, or None for none or one that token_new could not have made (which
    is then treated as no token: a plain create)."""
    if isinstance(value, str) and _TOKEN.fullmatch(value):
        return value
    return None


def fill_token_marks(html: str) -> str:
    """A kept rendering with a fresh token in each form's marker."""
    if TOKEN_MARK not in html:
        return html
    return re.sub(TOKEN_MARK, lambda _match: token_new(), html)


def earlier_id(*, user, kind: str, token: str | None) -> int | None:
    """The id of what an earlier post with this token created, if any (a quick look before
    the form is even checked: the second post of a form lands where the first did)."""
    if token is None or not user.is_authenticated:
        return None
    return (
        FormToken.objects.filter(user=user, kind=kind, token=token, object_id__isnull=False)
        .values_list("object_id", flat=True)
        .first()
    )


@dataclass
class Outcome(Generic[T]):
    """What create_once did: `created` the new object, or `earlier_id` the id of the one an
    earlier post of the same form created (then nothing was created)."""

    created: T | None = None
    earlier_id: int | None = None


def create_once(*, user, kind: str, token: str | None, create: Callable[[], T]) -> Outcome[T]:
    """Call `create` unless this user's `kind` form with this token created something already.
    The token and the object are written in one transaction: a refusal from `create` (an
    exception) leaves the token unused. Without a token, `create` runs in a transaction too."""
    with transaction.atomic():
        if token is None:
            return Outcome(created=create())
        try:
            with transaction.atomic():  # a savepoint: the duplicate's error ends only this
                claim = FormToken.objects.create(
                    user=user, kind=kind, token=token, created_at=timezone.now()
                )
        except IntegrityError:
            # Taken: by a post that has committed (a concurrent one was waited for by the
            # unique index), so its object id is there to read.
            found = (
                FormToken.objects.filter(user=user, kind=kind, token=token)
                .values_list("object_id", flat=True)
                .first()
            )
            if found is not None:
                return Outcome(earlier_id=found)
            # The claim went between the refused INSERT and this read (the clean-up of old
            # tokens): nothing to land on, so this post creates, as one without a token.
            return Outcome(created=create())
        created = create()
        claim.object_id = created.pk
        claim.save(update_fields=["object_id"])
    return Outcome(created=created)


def tokens_forget(*, now: dt.datetime | None = None) -> int:
    """Delete tokens older than KEEP; how many. Safe to run twice."""
    cutoff = (now or timezone.now()) - KEEP
    deleted, _ = FormToken.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def see_other(url: str) -> HttpResponseRedirect:
    """303 See Other: where the first post of the form went."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response
