"""What a new username may be (sign-up): a name people can read and tell apart.

On top of the model's own rule (letters, digits and @ . + - _), a new name
- holds no invisible character: zero-width spaces and joiners, bidi overrides and isolates,
  soft hyphens (format characters), controls, private-use code points, line separators;
- is typed in plain characters: nothing that NFKC would change (fullwidth letters, ligatures,
  superscripts), where Django would quietly change it;
- doesn't mix Latin, Cyrillic and Greek letters (the classic disguise: "paypal" with a
  Cyrillic a, U+0430);
- isn't reserved: `deleted-<n>` is what account deletion renames account n to, and `me` is
  the API's name for yourself (/api/users/me/);
- doesn't look like a member's name: same skeleton (core.text.skeleton: look-alike letters as
  Latin, 0 as o, 1 as l, case folded).

Existing names are left as they are."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.text import is_invisible, lookalikes, skeleton

RESERVED = re.compile(r"deleted-[0-9]+|me", re.IGNORECASE)
# Scripts whose letters pass for one another.
LOOKALIKE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")
# What the model's validator allows: the look-alike query needs no more (anything else is
# refused by the model's validator anyway).
_USERNAME_CHARS = re.compile(r"[\w.@+-]+")

INVISIBLE = _("Remove the invisible character at position %(position)s.")
NOT_PLAIN = _(
    "Use plain characters: “%(char)s” at position %(position)s is a variant of “%(plain)s”."
)
NOT_PLAIN_SEQUENCE = _("Use plain characters: this name has combined characters.")
MIXED_SCRIPTS = _("Use one alphabet: this name mixes %(scripts)s letters.")
RESERVED_NAME = _("That name is reserved: choose another.")
LOOKS_LIKE_A_MEMBER = _("That name looks like another member's: choose another.")


def is_reserved_username(username: str) -> bool:
    return RESERVED.fullmatch(username) is not None


def _scripts(username: str) -> list[str]:
    found = []
    for char in username:
        if unicodedata.category(char).startswith("L"):
            script = unicodedata.name(char, "").split(" ", 1)[0]
            if script in LOOKALIKE_SCRIPTS and script not in found:
                found.append(script)
    return found


def validate_username(username: str) -> None:
    """The rules above but the look-alike one, on the name as typed (not NFKC-normalised)."""
    for position, char in enumerate(username, start=1):
        if is_invisible(char):
            raise ValidationError(INVISIBLE, code="invisible", params={"position": position})
    for position, char in enumerate(username, start=1):
        plain = unicodedata.normalize("NFKC", char)
        if plain != char:
            raise ValidationError(
                NOT_PLAIN,
                code="not_plain",
                params={"char": char, "position": position, "plain": plain},
            )
    if unicodedata.normalize("NFKC", username) != username:
        raise ValidationError(NOT_PLAIN_SEQUENCE, code="not_plain")
    scripts = _scripts(username)
    if len(scripts) > 1:
        names = " and ".join(script.capitalize() for script in scripts)
        raise ValidationError(MIXED_SCRIPTS, code="mixed_scripts", params={"scripts": names})
    if is_reserved_username(username):
        raise ValidationError(RESERVED_NAME, code="reserved")


def lookalike_member(username: str, *, exclude_pk: int | None = None) -> User | None:
    """A member whose name has this name's skeleton, if any (the account `exclude_pk` aside).
    The database narrows the search with a pattern of each character's look-alikes; the
    skeletons decide."""
    if not _USERNAME_CHARS.fullmatch(username):
        return None
    pattern = "".join(
        "[" + "".join(sorted(lookalikes(char), key=_dash_last)) + "]" for char in username
    )
    candidates = User.objects.filter(username__regex=f"^{pattern}$").only("pk", "username")
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    wanted = skeleton(username)
    return next((user for user in candidates if skeleton(user.username) == wanted), None)


def _dash_last(char: str) -> tuple[bool, str]:
    # In a bracket expression a "-" is literal only at the end (PostgreSQL and Python alike).
    return (char == "-", char)
