from django import template
from django.urls import reverse

from comments.models import Comment
from core.roles import ban_until_text, is_moderator
from moderation.bans import may_ban
from moderation.queue import open_flag_counts
from moderation.selectors import can_flag, viewer_has_flagged
from web.moderation.forms import BAN_DAYS_CHOICES, flag_control

register = template.Library()


@register.inclusion_tag("moderation/flag_control.html", takes_context=True)
def flag_button(context, target, menu: bool = False) -> dict:
    """`{% flag_button idea %}` or `{% flag_button comment %}`: the Flag form for members, "You
    flagged this" once they have; nothing for visitors, the author, or content taken down.
    With `menu=True` the form comes folded in a small More menu (one per comment)."""
    request = context["request"]
    if not can_flag(request.user, target):
        return {}
    # A comment thread reads the viewer's flags on all its comments at once and marks each
    # (web/threads.py); anything else asks (once per page: viewer_has_flagged).
    flagged = getattr(target, "viewer_flagged", None)
    if flagged is None:
        flagged = viewer_has_flagged(request, target)
    return {
        **flag_control(target, flagged=flagged),
        "next_url": request.get_full_path(),
        "menu": menu,
    }


@register.filter
def ban_until(until) -> str:
    """`{{ user.banned_until|ban_until }}`: the end of a ban, or "a moderator lifts the ban"."""
    return ban_until_text(until)


def _open_flags(request, target) -> int:
    """Open flags on the target. A comment thread asks once per comment: the first comment of
    an idea loads the counts for all its comments, kept on the request."""
    if target._meta.model_name == "idea":
        return open_flag_counts(ideas=[target.pk]).get(("idea", target.pk), 0)
    cache = request.__dict__.setdefault("_open_comment_flags", {})
    if target.idea_id not in cache:
        ids = Comment.objects.filter(idea_id=target.idea_id).values_list("pk", flat=True)
        cache[target.idea_id] = open_flag_counts(comments=ids)
    return cache[target.idea_id].get(("comment", target.pk), 0)


@register.inclusion_tag("moderation/controls.html", takes_context=True)
def moderation_controls(context, target) -> dict:
    """`{% moderation_controls idea %}` or `{% moderation_controls comment %}`: for moderators,
    a banner on hidden or held content and Hide / Restore / Dismiss flags. Nothing for
    anyone else."""
    request = context["request"]
    kind = target._meta.model_name
    if not is_moderator(request.user) or getattr(target, "deleted_at", None):
        return {}
    if kind == "idea":
        back = target.get_absolute_url()
    else:
        # The thread's idea is in the context: target.idea would cost a query per comment.
        idea = context.get("idea")
        page = (
            idea.get_absolute_url()
            if getattr(idea, "pk", None) == target.idea_id
            else reverse("idea-detail", args=[target.idea_id])
        )
        back = f"{page}#comment-{target.pk}"
    return {
        "kind": kind,
        "target": target,
        "open_flags": _open_flags(request, target),
        "next_url": back,
        "dom_id": f"moderate-{kind}-{target.pk}",
    }


@register.inclusion_tag("moderation/link.html", takes_context=True)
def moderation_link(context) -> dict:
    """`{% moderation_link %}`: the header's link to the queue, for moderators only."""
    request = context.get("request")
    user = context.get("user")
    match = getattr(request, "resolver_match", None)
    current = (match.url_name if match else "") or ""  # None for an unnamed route
    return {
        # The request's user carries its roles (User.objects.with_roles): no query here.
        "show": is_moderator(user),
        "current": current.startswith("moderation-"),
    }


@register.inclusion_tag("moderation/ban_controls.html", takes_context=True)
def ban_controls(context, person) -> dict:
    """`{% ban_controls person %}` on a profile: "Ban user" for moderators, or "Lift ban" when
    the member is banned. Nothing for anyone else, nor on one's own profile."""
    user = context["request"].user
    if not is_moderator(user) or person.pk == user.pk or not may_ban(user, person):
        return {}
    return {"person": person, "ban_days_choices": BAN_DAYS_CHOICES}
