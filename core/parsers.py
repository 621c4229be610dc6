"""The API's JSON parser (settings.REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]).

DRF's own parser turns malformed JSON into a 400 but lets Python's RecursionError through:
5,000 nested brackets were a 500. This one answers any body it can't read, nested too deep for
the parser included, with a 400 `parse_error`. It also refuses anything nested deeper than
MAX_DEPTH, far beyond any of the API's inputs (at most an object holding a list), so that no
later step (validation, the error's rendering) meets a structure deep enough to exhaust the
stack either."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


def _depth_exceeds(data, limit: int) -> bool:
    """Whether lists and objects nest deeper than `limit` (iteratively: no recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
        if _depth_exceeds(data, MAX_DEPTH):
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels.")
        return data
