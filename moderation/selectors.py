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


def viewer_has_flagged(request, target: Idea | Comment) -> bool:
    """Whether the viewer flagged the target. A comment thread asks once per comment: the first
    comment of an idea loads the viewer's flags on all its comments, kept on the request."""
    user = request.user
    if isinstance(target, Idea):
        return has_flagged(user=user, target=target)
    cache = request.__dict__.setdefault("_flagged_comment_ids", {})
    if target.idea_id not in cache:
        flags = Flag.objects.filter(flagger=user, comment__idea_id=target.idea_id)
        cache[target.idea_id] = set(flags.values_list("comment_id", flat=True))
    return target.pk in cache[target.idea_id]
