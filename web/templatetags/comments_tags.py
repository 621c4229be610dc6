from django import template
from django.template.loader import render_to_string

from web.comments.views import thread_context

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_thread(context, idea) -> str:
    """The idea's comment thread with the viewer's forms: {% comment_thread idea %}."""
    request = context["request"]
    return render_to_string("comments/_thread.html", thread_context(request, idea), request=request)
