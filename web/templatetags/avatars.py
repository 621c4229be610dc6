"""{% avatar person size=32 %}: a person's initials on a colour of their own, or their Gravatar.

The colour comes from a hash of the username, so a person keeps it on every page and in every
process. The palette lives in static/css/site.css (.avatar-c0 to .avatar-c9, each a background
and a text colour); tests/web/test_avatars.py checks each pair has at least 4.5:1 contrast and
that the CSS has exactly AVATAR_COLOURS of them. The CSP refuses style="", so sizes are classes
too (AVATAR_SIZES).

Gravatar is off unless settings.IDEASTORM_GRAVATAR is true: it tells gravatar.com who reads the
board, and the CSP's img-src must then allow https://www.gravatar.com. The image is drawn over
the initials and asked for with d=blank (a transparent image for an address Gravatar does not
know), so the initials show through without any script. Lists read their rows without the
author's address (IdeaQuerySet.for_shared_list keeps it out of the shared cache), so there the
initials are shown: only pages that load the address show the Gravatar.
"""

import hashlib
import re

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()

AVATAR_COLOURS = 10
AVATAR_SIZES = (20, 24, 32, 40, 48, 64)
GRAVATAR_URL = "https://www.gravatar.com/avatar/{digest}?s={pixels}&d=blank"

_WORDS = re.compile(r"[^\W_]+")


def display_name(person) -> str:
    """The name an avatar stands for: the username, the only name the site shows of a member
    (a full name may come from single sign-on or from staff, and is not for the public)."""
    return person.username


def initials(name: str) -> str:
    """One or two capital letters: the first letters of the first two words of the name
    ("Ada Lovelace" -> "AL", "grace_hopper" -> "GH", "linus" -> "L")."""
    words = _WORDS.findall(name)
    if not words:
        return "?"
    return "".join(word[0] for word in words[:2]).upper()


def colour_index(username: str) -> int:
    """Which of the palette's colours is this person's: the same everywhere, every time (not
    Python's hash(), which changes with each process)."""
    digest = hashlib.blake2b(username.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % AVATAR_COLOURS


def _size(size) -> int:
    """The nearest size there is a class for."""
    try:
        wanted = int(size)
    except (TypeError, ValueError):
        wanted = 32
    return min(AVATAR_SIZES, key=lambda s: abs(s - wanted))


def gravatar_on() -> bool:
    return settings.IDEASTORM_GRAVATAR


def _gravatar_email(person) -> str:
    """The address to ask Gravatar for, only if it is loaded already: reading a deferred one
    would cost a query per avatar."""
    if not gravatar_on() or "email" in person.get_deferred_fields():
        return ""
    return (person.email or "").strip().lower()


def avatar_inputs(person) -> tuple:
    """Everything an avatar's markup depends on, for cache keys (web/cards.py)."""
    if person is None or getattr(person, "deleted_at", None):
        return (None,)
    return (person.username, display_name(person), _gravatar_email(person))


@register.simple_tag
def avatar(person, size=32, label: bool = False) -> str:
    """The avatar of a person (a user, None, or a deleted user: a neutral "?"). Decorative by
    default, for beside the name; with label=True it is an image named after the person."""
    pixels = _size(size)
    if person is None or getattr(person, "deleted_at", None):
        name, letters, colour = _("deleted user"), "?", "avatar-none"
        email = ""
    else:
        name = display_name(person)
        letters, colour = initials(name), f"avatar-c{colour_index(person.username)}"
        email = _gravatar_email(person)
    classes = f"avatar avatar-{pixels} {colour}"
    if label:
        opening = format_html('<span class="{}" role="img" aria-label="{}">', classes, name)
    else:
        opening = format_html('<span class="{}" aria-hidden="true">', classes)
    picture = ""
    if email:
        digest = hashlib.sha256(email.encode()).hexdigest()
        url = GRAVATAR_URL.format(digest=digest, pixels=pixels * 2)
        picture = format_html(
            '<img class="avatar-img" src="{}" alt="" width="{}" height="{}" loading="lazy">',
            url,
            pixels,
            pixels,
        )
    return format_html("{}{}{}</span>", opening, letters, picture)
