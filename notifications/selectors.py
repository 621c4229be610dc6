"""Who follows what. An explicit Follow row decides; otherwise a member with auto_follow on
follows the ideas they wrote, voted on or commented on."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet

from comments.models import Comment
from notifications.models import Follow
from votes.models import Vote


def _implicit_for_users(idea) -> Q:
    return Q(auto_follow=True) & (
        Q(pk=idea.author_id)
        | Exists(Vote.objects.filter(idea=idea, voter=OuterRef("pk")))
        | Exists(Comment.objects.filter(idea=idea, author=OuterRef("pk")))
    )


def followers(idea) -> QuerySet:
    """The active members who follow the idea."""
    explicit = Follow.objects.filter(idea=idea, user=OuterRef("pk"))
    return (
        get_user_model()
        .objects.filter(is_active=True, deleted_at__isnull=True)
        .filter(
            Exists(explicit.filter(following=True))
            | (_implicit_for_users(idea) & ~Exists(explicit.filter(following=False)))
        )
    )


def followed_by(user) -> Q:
    """A filter on ideas: those the user follows (for "Ideas I follow")."""
    explicit = Follow.objects.filter(user=user, idea=OuterRef("pk"))
    condition = Exists(explicit.filter(following=True))
    if user.auto_follow:
        implicit = (
            Q(author=user)
            | Exists(Vote.objects.filter(voter=user, idea=OuterRef("pk")))
            | Exists(Comment.objects.filter(author=user, idea=OuterRef("pk")))
        )
        condition |= implicit & ~Exists(explicit.filter(following=False))
    return condition


def is_following(user, idea) -> bool:
    if not user.is_authenticated:
        return False
    return followers(idea).filter(pk=user.pk).exists()


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return user.notifications.filter(read_at__isnull=True).count()
