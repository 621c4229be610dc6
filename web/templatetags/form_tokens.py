"""{% form_token %}: the hidden one-time token of a create form (core.formtokens)."""

from django import template
from django.utils.html import format_html

from core import formtokens
from web.cards import CSRF_MARK

register = template.Library()


@register.simple_tag(takes_context=True)
def form_token(context) -> str:
    """A fresh token; in a rendering kept for many viewers (its CSRF token is a marker too),
    a marker that web.cards.fill_request_marks fills per request."""
    kept = context.get("csrf_token") == CSRF_MARK
    value = formtokens.TOKEN_MARK if kept else formtokens.token_new()
    return format_html('<input type="hidden" name="{}" value="{}">', formtokens.FIELD_NAME, value)
