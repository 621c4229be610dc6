from django import template

from notifications.selectors import is_following, unread_count

register = template.Library()


@register.inclusion_tag("notifications/follow_button.html#button", takes_context=True)
def follow_button(context, idea, oob: bool = False) -> dict:
    """Follow/Unfollow (a visitor's Follow leads to log in, then follows). oob: for an htmx answer
    that replaces the page's button out of band (a vote may have made the member follow)."""
    user = context["user"]
    return {
        "idea": idea,
        "user": user,
        "following": is_following(user, idea),
        "csrf_token": context.get("csrf_token"),
        "oob": oob,
    }


@register.inclusion_tag("notifications/bell.html", takes_context=True)
def notification_bell(context) -> dict:
    """The bell with the unread count, and the member's Profile and Settings links. While a
    member's page is rendered for the shared cache (web/skeleton.py), a marker instead: each
    viewer gets their own bell (bell_context)."""
    request = context.get("request")
    skeleton = getattr(request, "skeleton", None)
    if skeleton is not None:
        return {"mark": skeleton.mark("bell")}
    # The context processor's lazy count, so a page that also shows it counts once.
    return bell_context(request, context["user"], context.get("unread_notifications"))


def bell_context(request, user, unread=None) -> dict:
    """What notifications/bell.html shows this viewer on this request's page."""
    match = getattr(request, "resolver_match", None)
    return {
        "user": user,
        "unread": int(unread if unread is not None else unread_count(user)),
        "current": match.url_name if match else "",
        "viewed_username": match.kwargs.get("username") if match else None,
    }
