"""A username for an account nobody typed a name for (single sign-on): made from what the
provider says (a preferred username or login, a name, the email's local part), kept to the
rules of accounts.validators (no invisible characters, one alphabet, nothing reserved, no
look-alike of a member's name), and free: "ada", else "ada-2", "ada-3"..."""

import re
import secrets
import unicodedata

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.validators import lookalike_member, validate_username
from core.text import is_invisible

# Room for a "-<n>" suffix within the username column.
BASE_MAX_LENGTH = 140
SUFFIXES = 50
FALLBACK = "member"
# The model allows "@" too, but a name made from an address keeps only its local part.
_REFUSED = re.compile(r"[^\w.+-]")


def _plain(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw or "").strip().split("@", 1)[0]
    text = "".join(char for char in text if not is_invisible(char))
    text = _REFUSED.sub("", re.sub(r"\s+", "-", text))
    return text.strip(".+-")[:BASE_MAX_LENGTH]


def _allowed(name: str) -> bool:
    try:
        UnicodeUsernameValidator()(name)
        validate_username(name)
    except ValidationError:
        return False
    return True


def _free(name: str) -> bool:
    if User.objects.filter(username__iexact=name).exists():
        return False
    return lookalike_member(name) is None


def username_for(*candidates: str | None) -> str:
    """The first candidate that makes an allowed, free name; else the first allowed one with the
    lowest free suffix; else "member-<random>"."""
    bases = [name for name in dict.fromkeys(_plain(c) for c in candidates if c) if name]
    bases = [name for name in bases if _allowed(name)] or [FALLBACK]
    for name in bases:
        if _free(name):
            return name
    for n in range(2, SUFFIXES + 2):
        name = f"{bases[0]}-{n}"
        if _allowed(name) and _free(name):
            return name
    return f"{FALLBACK}-{secrets.token_hex(4)}"
