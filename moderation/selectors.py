from dataclasses import dataclass

from django.db import connection

from comments.models import Comment
from ideas.models import Idea
from moderation.models import Flag


def can_flag(user, target: Idea | Comment) -> bool:
    """Whether the flag control is offered: to members, on others' content that is still up."""
    if not user.is_authenticated or target.author_id == user.pk:
        return False
    if isinstance(target, Comment):
        return target.deleted_at is None
    return target.withdrawn_at is None


def has_flagged(*, user, target: Idea | Comment) -> bool:
    field = "idea" if isinstance(target, Idea) else "comment"
    return Flag.objects.filter(flagger=user, **{field: target}).exists()


@dataclass(frozen=True)
class ViewerFlags:
    """What one member flagged on one idea page: the idea itself, and which of its comments."""

    idea: bool
    comment_ids: frozenset[int]


NO_FLAGS = ViewerFlags(idea=False, comment_ids=frozenset())


def viewer_flags(user, idea_id: int) -> ViewerFlags:
    """The user's flags on the idea and on its comments, in one plain query: the idea page
    shows a flag control on the idea and on each comment (asking per control cost a query
    each, and the ORM took longer to build this query than the database to answer it)."""
    if not user.is_authenticated:
        return NO_FLAGS
    sql = f"""
        SELECT idea_id, comment_id FROM {Flag._meta.db_table}
         WHERE flagger_id = %s
           AND (idea_id = %s
                OR comment_id IN (SELECT id FROM {Comment._meta.db_table} WHERE idea_id = %s))
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, idea_id, idea_id])
        rows = cursor.fetchall()
    return ViewerFlags(
        idea=any(flagged_idea is not None for flagged_idea, _ in rows),
        comment_ids=frozenset(comment for _, comment in rows if comment is not None),
    )


def request_viewer_flags(request, idea_id: int) -> ViewerFlags:
    """viewer_flags for the request's user, read once per request and idea: an idea page asks
    about the idea and about each comment."""
    cache = request.__dict__.setdefault("_viewer_flags", {})
    if idea_id not in cache:
        cache[idea_id] = viewer_flags(request.user, idea_id)
    return cache[idea_id]


def viewer_has_flagged(request, target: Idea | Comment) -> bool:
    """Whether the viewer flagged the target (request_viewer_flags: one query per page)."""
    if isinstance(target, Idea):
        return request_viewer_flags(request, target.pk).idea
    return target.pk in request_viewer_flags(request, target.idea_id).comment_ids
