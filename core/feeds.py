"""Atom for every feed of the site: without the characters XML 1.0 can't carry
(core.text.printable). The inputs refuse them, but a row stored before that, or through the
admin, may hold one, and a single one would make a feed a 500."""

from django.utils.feedgenerator import Atom1Feed

from core.text import printable


def _printable(value):
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, list | tuple):
        return type(value)(_printable(item) for item in value)
    return value


class PrintableAtom1Feed(Atom1Feed):
    """Atom without control characters (but newline, carriage return and tab), surrogates,
    U+FFFE and U+FFFF: every string of the feed and of its entries (titles, summaries, names,
    categories) is cleaned on its way in."""

    def __init__(self, *args, **kwargs):
        super().__init__(*_printable(args), **{k: _printable(v) for k, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*_printable(args), **{k: _printable(v) for k, v in kwargs.items()})
