"""/styleguide/: every component of the design system (static/css/site.css) on one page, for
staff. Others get a 404: the page is a tool, not part of the board."""

import re
from functools import cache
from pathlib import Path

from django import forms
from django.contrib.staticfiles import finders
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.roles import is_board_admin, is_staff_member
from ideas.models import Status

# The colour tokens, light and dark (site.css :root), shown as swatches.
COLOUR_TOKENS = (
    "ink", "muted", "line", "line-strong", "bg", "card", "surface-2",
    "brand", "brand-dark", "brand-ink", "brand-soft", "promote", "demote", "focus",
    "ok-bg", "ok-ink", "ok-line", "danger-bg", "danger-ink", "danger-line",
    "warn-bg", "warn-ink", "warn-line", "info-bg", "info-ink", "info-line",
    "violet-bg", "violet-ink", "violet-line", "header-bg",
)  # fmt: skip


class SampleForm(forms.Form):
    """A field with help and an error, and one without, as includes/field.html shows them."""

    title = forms.CharField(label="Title", max_length=120, help_text="A short summary.")
    email = forms.EmailField(label="Email", required=False)


@cache
def sprite_icons() -> list[str]:
    """The names in static/icons/sprite.svg (scripts/build_icons.py)."""
    sprite = Path(finders.find("icons/sprite.svg"))
    return re.findall(r'<symbol id="([^"]+)"', sprite.read_text())


@require_GET
def styleguide(request):
    """The components, each as the templates use it."""
    user = request.user
    if not (user.is_authenticated and (is_staff_member(user) or is_board_admin(user))):
        raise Http404
    context = {
        "statuses": Status.choices,
        "colour_tokens": COLOUR_TOKENS,
        "icons": sprite_icons(),
        "sizes": (20, 24, 32, 40, 48, 64),
        "form": SampleForm(data={"title": "", "email": "ada@example.com"}),
    }
    return render(request, "styleguide.html", context)
