from django import template

from moderation.forms import flag_control
from moderation.selectors import can_flag, viewer_has_flagged

register = template.Library()


@register.inclusion_tag("moderation/flag_control.html", takes_context=True)
def flag_button(context, target) -> dict:
    """`{% flag_button idea %}` or `{% flag_button comment %}`: the Flag form for members, "You
    flagged this" once they have; nothing for visitors, the author, or content taken down."""
    request = context["request"]
    if not can_flag(request.user, target):
        return {}
    return {
        **flag_control(target, flagged=viewer_has_flagged(request, target)),
        "next_url": request.get_full_path(),
    }
