"""Text people send: the one place that says which characters an input may hold, and how text
is seen through disguises.

Every text input, pages and API alike, is one of two kinds of field:

- a line (titles, names, notes, reasons, tags, searches, a username at log-in) holds no
  control character at all: nothing in C0 (U+0000-U+001F, so no NUL, tab or newline), no DEL,
  nothing in C1 (U+0080-U+009F);
- a text (descriptions, comments, official responses: Markdown) may also hold newlines and
  tabs, and its line ends become "\\n" (browsers send "\\r\\n").

Neither may hold a surrogate or the non-characters U+FFFE and U+FFFF, which no XML (so no
feed) can carry, nor PostgreSQL store. The message points at the first such character,
counting from 1: "Remove the control character at position 12."

Forms use LineField and TextField, serializers LineSerializerField and TextSerializerField;
`validate_line` and `validate_text` are the validators behind them. Rows written before these
rules (or through the admin) can still hold such characters: `printable` removes them where
the output can't carry them (the Atom feeds).

`fold` and `skeleton` show text as it looks: compatibility forms made plain (NFKC), invisible
format characters (zero-width, soft hyphen, bidi controls) dropped, Cyrillic and Greek letters
that look Latin read as Latin, case folded. Blocked words are matched on `fold`; usernames are
compared on `skeleton`, which also reads 0 as o and 1 as l."""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import ProhibitSurrogateCharactersValidator

# C0, DEL and C1; surrogates and U+FFFE, U+FFFF, which no XML carries (nor PostgreSQL a
# lone surrogate, or a NUL).
_REFUSED_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# The same but the line ends (normalised by the fields) and tabs.
_REFUSED_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

CONTROL_CHARACTER = _("Remove the control character at position %(position)s.")
INVALID_CHARACTER = _("Remove the invalid character at position %(position)s.")


def _check(value: str, refused: re.Pattern) -> None:
    found = refused.search(value)
    if found is None:
        return
    message = CONTROL_CHARACTER if found.group() <= "\x9f" else INVALID_CHARACTER
    raise ValidationError(message, code="control_character", params={"position": found.start() + 1})


def validate_line(value: str) -> None:
    """A single line: no control character at all (tab and newline included)."""
    _check(str(value), _REFUSED_IN_LINE)


def validate_text(value: str) -> None:
    """Long text: newlines, carriage returns and tabs, but no other control character."""
    _check(str(value), _REFUSED_IN_TEXT)


def normalise_line_ends(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n")


def printable(value: str | None) -> str:
    """The value without what a text may not hold (control characters but newline, carriage
    return and tab; surrogates; U+FFFE, U+FFFF): for output that can't carry them, such as
    XML, when the value may predate the rules."""
    return _REFUSED_IN_TEXT.sub("", value or "")


def shown(value: str | None) -> str:
    """Refused text as a form shows it back: each character a text may not hold becomes U+FFFD
    (which HTML allows, and which marks the place the error message counts to)."""
    return _REFUSED_IN_TEXT.sub("\ufffd", value or "")


def printable_line(value: str | None) -> str:
    """The value without any control character: a query-string value used as it is (the
    similar-ideas lookup), where a refusal would help nobody."""
    return _REFUSED_IN_LINE.sub("", value or "")


# The stock validators say "Null characters are not allowed." without saying where; ours
# say where, for NUL and surrogates too.
_STOCK = (ProhibitNullCharactersValidator, ProhibitSurrogateCharactersValidator)


def _without_stock(validators: list) -> list:
    return [v for v in validators if not isinstance(v, _STOCK)]


class LineField(forms.CharField):
    """A form's single-line text field."""

    default_validators = [validate_line]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = _without_stock(self.validators)

    def prepare_value(self, value):
        return shown(value) if isinstance(value, str) else value


class TextField(forms.CharField):
    """A form's long text field (a textarea): newlines and tabs allowed, line ends "\\n"."""

    widget = forms.Textarea
    default_validators = [validate_text]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = _without_stock(self.validators)

    def to_python(self, value):
        return normalise_line_ends(super().to_python(value))

    def prepare_value(self, value):
        return shown(value) if isinstance(value, str) else value


class LineSerializerField(serializers.CharField):
    """A serializer's single-line text field."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [validate_line, *_without_stock(self.validators)]


class TextSerializerField(serializers.CharField):
    """A serializer's long text field: newlines and tabs allowed, line ends "\\n"."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [validate_text, *_without_stock(self.validators)]

    def to_internal_value(self, data):
        return normalise_line_ends(super().to_internal_value(data))


# Letters that look like Latin ones: Cyrillic and Greek (capitals where only the capital looks
# alike), and a few Latin variants NFKC leaves alone. A short list of the usual suspects, not
# Unicode's whole confusables table.
LOOKALIKE_LETTERS = {
    unicodedata.lookup(name): latin
    for name, latin in [
        # Cyrillic
        ("CYRILLIC SMALL LETTER A", "a"),
        ("CYRILLIC SMALL LETTER ES", "c"),
        ("CYRILLIC SMALL LETTER KOMI DE", "d"),
        ("CYRILLIC SMALL LETTER IE", "e"),
        ("CYRILLIC SMALL LETTER SHHA", "h"),
        ("CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I", "i"),
        ("CYRILLIC SMALL LETTER JE", "j"),
        ("CYRILLIC SMALL LETTER PALOCHKA", "l"),
        ("CYRILLIC SMALL LETTER O", "o"),
        ("CYRILLIC SMALL LETTER ER", "p"),
        ("CYRILLIC SMALL LETTER QA", "q"),
        ("CYRILLIC SMALL LETTER DZE", "s"),
        ("CYRILLIC SMALL LETTER U", "y"),
        ("CYRILLIC SMALL LETTER WE", "w"),
        ("CYRILLIC SMALL LETTER HA", "x"),
        ("CYRILLIC SMALL LETTER STRAIGHT U", "y"),
        ("CYRILLIC CAPITAL LETTER A", "A"),
        ("CYRILLIC CAPITAL LETTER VE", "B"),
        ("CYRILLIC CAPITAL LETTER ES", "C"),
        ("CYRILLIC CAPITAL LETTER IE", "E"),
        ("CYRILLIC CAPITAL LETTER EN", "H"),
        ("CYRILLIC CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I", "I"),
        ("CYRILLIC CAPITAL LETTER JE", "J"),
        ("CYRILLIC CAPITAL LETTER KA", "K"),
        ("CYRILLIC LETTER PALOCHKA", "I"),
        ("CYRILLIC CAPITAL LETTER EM", "M"),
        ("CYRILLIC CAPITAL LETTER O", "O"),
        ("CYRILLIC CAPITAL LETTER ER", "P"),
        ("CYRILLIC CAPITAL LETTER QA", "Q"),
        ("CYRILLIC CAPITAL LETTER DZE", "S"),
        ("CYRILLIC CAPITAL LETTER TE", "T"),
        ("CYRILLIC CAPITAL LETTER U", "Y"),
        ("CYRILLIC CAPITAL LETTER WE", "W"),
        ("CYRILLIC CAPITAL LETTER HA", "X"),
        ("CYRILLIC CAPITAL LETTER STRAIGHT U", "Y"),
        # Greek
        ("GREEK SMALL LETTER ALPHA", "a"),
        ("GREEK SMALL LETTER GAMMA", "y"),
        ("GREEK SMALL LETTER IOTA", "i"),
        ("GREEK SMALL LETTER KAPPA", "k"),
        ("GREEK SMALL LETTER NU", "v"),
        ("GREEK SMALL LETTER OMICRON", "o"),
        ("GREEK SMALL LETTER RHO", "p"),
        ("GREEK SMALL LETTER UPSILON", "u"),
        ("GREEK SMALL LETTER CHI", "x"),
        ("GREEK LUNATE SIGMA SYMBOL", "c"),
        ("GREEK LETTER YOT", "j"),
        ("GREEK CAPITAL LETTER ALPHA", "A"),
        ("GREEK CAPITAL LETTER BETA", "B"),
        ("GREEK CAPITAL LETTER EPSILON", "E"),
        ("GREEK CAPITAL LETTER ZETA", "Z"),
        ("GREEK CAPITAL LETTER ETA", "H"),
        ("GREEK CAPITAL LETTER IOTA", "I"),
        ("GREEK CAPITAL LETTER KAPPA", "K"),
        ("GREEK CAPITAL LETTER MU", "M"),
        ("GREEK CAPITAL LETTER NU", "N"),
        ("GREEK CAPITAL LETTER OMICRON", "O"),
        ("GREEK CAPITAL LETTER RHO", "P"),
        ("GREEK CAPITAL LETTER TAU", "T"),
        ("GREEK CAPITAL LETTER UPSILON", "Y"),
        ("GREEK CAPITAL LETTER CHI", "X"),
        ("GREEK CAPITAL LUNATE SIGMA SYMBOL", "C"),
        # Latin variants
        ("LATIN SMALL LETTER DOTLESS I", "i"),
        ("LATIN SMALL LETTER DOTLESS J", "j"),
        ("LATIN SMALL LETTER ALPHA", "a"),
        ("LATIN SMALL LETTER SCRIPT G", "g"),
        ("LATIN SMALL LETTER IOTA", "i"),
        ("LATIN LETTER SMALL CAPITAL Y", "y"),
        ("LATIN LETTER SMALL CAPITAL V", "v"),
        ("LATIN LETTER SMALL CAPITAL W", "w"),
        ("LATIN LETTER SMALL CAPITAL Z", "z"),
    ]
}
# Digits that look like letters: for names, where "b0b" passes for "bob"; not for words in a
# text, where "101" is a number.
LOOKALIKE_DIGITS = {"0": "o", "1": "l"}
_LETTERS = str.maketrans(LOOKALIKE_LETTERS)
_DIGITS = str.maketrans(LOOKALIKE_DIGITS)


def is_invisible(char: str) -> bool:
    """A format character (zero-width space and joiners, soft hyphen, bidi controls), a
    control character, a private-use or surrogate code point, or a line or paragraph
    separator."""
    return unicodedata.category(char) in ("Cf", "Cc", "Co", "Cs", "Zl", "Zp")


def fold(value: str) -> str:
    """The text as it looks: NFKC, without format characters, look-alike letters as Latin,
    case folded. Two texts that read the same fold the same."""
    value = unicodedata.normalize("NFKC", value)
    value = "".join(char for char in value if unicodedata.category(char) != "Cf")
    return value.translate(_LETTERS).casefold()


def skeleton(value: str) -> str:
    """fold, also reading 0 as o and 1 as l: what a name looks like."""
    return fold(value).translate(_DIGITS)


_POOL = {
    *LOOKALIKE_LETTERS,
    *LOOKALIKE_LETTERS.values(),
    *LOOKALIKE_DIGITS,
    *"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
}


def lookalikes(char: str) -> set[str]:
    """The characters whose skeleton is this character's, among the look-alikes above, the
    ASCII letters and digits, and the character's own cases."""
    target = skeleton(char)
    pool = {char, char.upper(), char.lower(), *_POOL}
    return {c for c in pool if len(c) == 1 and skeleton(c) == target}
