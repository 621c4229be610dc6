"""Whether a member is a moderator, for the header's link on every page, without a query per
page: the answer is cached per user, primed at log-in and forgotten when their groups change
(a role granted or revoked shows on the next page). Pages that act on the role still ask
user.is_moderator itself."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

# Bounds staleness where a change escapes the signals (a group deleted, a raw SQL edit).
ROLE_TTL = 300


def _key(user_id: int) -> str:
    return f"is-moderator:{user_id}"


def is_moderator_cached(user) -> bool:
    if not user.is_authenticated:
        return False
    cached = cache.get(_key(user.pk))
    if cached is None:
        cached = bool(user.is_moderator)
        cache.set(_key(user.pk), cached, ROLE_TTL)
    return cached


@receiver(user_logged_in, dispatch_uid="moderation-roles-prime")
def _prime(sender, request, user, **kwargs) -> None:
    cache.set(_key(user.pk), bool(user.is_moderator), ROLE_TTL)


@receiver(m2m_changed, sender=get_user_model().groups.through, dispatch_uid="moderation-roles")
def _forget(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if not reverse:  # user.groups.add(...): the instance is the user
        user_ids = [instance.pk]
    elif pk_set is not None:  # group.user_set.add(...): the users are in pk_set
        user_ids = list(pk_set)
    else:  # group.user_set.clear(): which users is no longer known; let them expire
        return
    cache.delete_many([_key(pk) for pk in user_ids])
