"""Who follows what. An explicit Follow row decides; otherwise a member with auto_follow on
follows the ideas they wrote, voted on or commented on."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from comments.models import Comment
from notifications.models import Follow, Notification
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
    """Whether the user is among followers(idea), read in one small query: their Follow row if
    they have one, else (with auto_follow on) whether they wrote, voted on or commented on the
    idea. Every member's idea page asks, and followers() narrowed to one member took longer to
    build than to run."""
    if not user.is_authenticated or not user.is_active or user.deleted_at is not None:
        return False
    sql = f"""
        SELECT (SELECT following FROM {Follow._meta.db_table}
                 WHERE user_id = %s AND idea_id = %s),
               EXISTS (SELECT 1 FROM {Vote._meta.db_table} WHERE voter_id = %s AND idea_id = %s),
               EXISTS (SELECT 1 FROM {Comment._meta.db_table} WHERE author_id = %s AND idea_id = %s)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, idea.pk] * 3)
        explicit, voted, commented = cursor.fetchone()
    if explicit is not None:
        return bool(explicit)
    return bool(user.auto_follow and (idea.author_id == user.pk or voted or commented))


def unread_count(user) -> int:
    """The bell's figure, on every member's page: in plain SQL (the ORM took longer to build
    the query than the database to answer it)."""
    if not user.is_authenticated:
        return 0
    table = Notification._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} WHERE recipient_id = %s AND read_at IS NULL", [user.pk]
        )
        return cursor.fetchone()[0]
