from django import template

from web.threads import comment_mark as _comment_mark
from web.threads import thread_html

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_thread(context, idea) -> str:
    """The idea's comment thread with the viewer's forms: {% comment_thread idea %}."""
    return thread_html(context["request"], idea)


@register.simple_tag
def comment_mark(comment) -> str:
    """Where the comment goes in a thread rendered as a frame (web/threads.py)."""
    return _comment_mark(comment.pk)
