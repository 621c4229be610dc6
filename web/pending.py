"""The action a visitor pressed before logging in (core.pending) is done when they log in or sign
up, whichever way (password, email link, single sign-on: each ends in
django.contrib.auth.login, which sends user_logged_in): the vote is cast, the idea followed,
or the comment's text put back in the idea page's form for them to post. A message says what
happened; nothing here can stop the log-in."""

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import pending, ratelimit
from core.network import network_of
from core.roles import ensure_not_banned
from ideas.models import Idea
from notifications.services import follow_set
from votes.services import vote_cast

log = logging.getLogger(__name__)

GONE = {
    pending.VOTE: gettext_lazy("That idea no longer takes votes."),
    pending.FOLLOW: gettext_lazy("That idea can no longer be followed."),
    pending.COMMENT: gettext_lazy("That idea no longer takes comments."),
}
FAILED = {
    pending.VOTE: gettext_lazy("Your vote could not be counted: please vote again."),
    pending.FOLLOW: gettext_lazy("You could not follow this idea: please press Follow again."),
    pending.COMMENT: gettext_lazy("Your comment could not be kept: please write it again."),
}


def act_on_pending(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """user_logged_in receiver: do what the visitor pressed, once, if it is recent."""
    if request is None or getattr(request, "session", None) is None:
        return
    action = pending.take(request)
    if action is None:
        return
    try:
        with transaction.atomic():
            _say(request, messages.SUCCESS, _act(request, user, action))
    except PermissionDenied as refusal:  # banned, or over a rate limit
        _say(request, messages.ERROR, str(refusal))
    except ValidationError as refusal:  # demoting switched off meanwhile
        _say(request, messages.ERROR, " ".join(refusal.messages))
    except Idea.DoesNotExist:
        _say(request, messages.ERROR, str(GONE[action.kind]))
    except Exception:  # the member is logged in whatever went wrong here
        log.exception("the %s pending at log-in failed", action.kind)
        _say(request, messages.ERROR, str(FAILED[action.kind]))


def _act(request: HttpRequest, user, action: pending.Pending) -> str:
    ensure_not_banned(user)
    # The same rule as the views: only an idea everyone sees takes votes, follows, comments.
    idea = Idea.objects.visible().get(pk=action.idea_id)
    if action.kind == pending.VOTE:
        if exceeded := ratelimit.vote_hit(request, voter=user):
            raise PermissionDenied(exceeded.message)
        vote_cast(voter=user, idea=idea, value=action.value, network=network_of(request))
        return _("Your vote is in.")
    if action.kind == pending.FOLLOW:
        follow_set(user=user, idea=idea, following=True)
        return _("You follow this idea.")
    pending.keep_draft(request, idea_id=idea.pk, body=action.body)
    return _("Your comment is ready: press Post comment.")


def _say(request: HttpRequest, level: int, message: str) -> None:
    # fail_silently: a log-in without the messages middleware (a test client's) goes on.
    messages.add_message(request, level, message, fail_silently=True)
