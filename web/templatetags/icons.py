"""{% icon "name" %}: an icon from static/icons/sprite.svg (built by scripts/build_icons.py)."""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def icon(name: str, label: str = "", size: int = 16) -> str:
    """Decorative by default (hidden from screen readers, the text beside it says it); with
    label="..." it is an image with that name, for an icon that stands alone."""
    href = f"{static('icons/sprite.svg')}#{name}"
    if label:
        return format_html(
            '<svg class="icon" role="img" aria-label="{}" focusable="false" width="{}" '
            'height="{}"><title>{}</title><use href="{}"></use></svg>',
            label,
            size,
            size,
            label,
            href,
        )
    return format_html(
        '<svg class="icon" aria-hidden="true" focusable="false" width="{}" height="{}">'
        '<use href="{}"></use></svg>',
        size,
        size,
        href,
    )
