"""The text behind `manage.py seed_demo`: categories, the demo cast, hand-written ideas in the
voice of a 2007-2008 hardware customer board, and the pools generated ideas are built from.

The content itself lives in the JSON files of demo/data/, read once when this module is first
imported; this module gives it the names and shapes the command uses. Dict order is kept as in
the files: the command draws from some of them with a seeded random stream, so reordering a
file changes the board a seed gives.
"""

import json
from importlib.resources import files


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    """A JSON object as a dict, refusing a key given twice (json keeps the last silently)."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        keys = [key for key, _ in pairs]
        raise ValueError(f"duplicate keys: {sorted({k for k in keys if keys.count(k) > 1})}")
    return obj


def _load(name: str):
    text = (files(__package__) / "data" / f"{name}.json").read_text(encoding="utf-8")
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except ValueError as error:  # JSONDecodeError included
        raise ValueError(f"demo/data/{name}.json: {error}") from error


# categories.json: in board order.
CATEGORIES: list[tuple[str, str, str]] = [
    (c["name"], c["slug"], c["description"]) for c in _load("categories")
]

_cast = _load("cast")
DEMO_PASSWORD: str = _cast["password"]
# The fixed cast: (username, first name, last name, group or None, is superuser).
NAMED_USERS: list[tuple[str, str, str, str | None, bool]] = [
    (u["username"], u["first_name"], u["last_name"], u["group"], u["superuser"])
    for u in _cast["users"]
]
# Members of the cast who vote like customers do; staff keep their hands off the counts.
NAMED_VOTERS: list[str] = _cast["voters"]

# names.json: what generated customers' names and usernames are made of.
_names = _load("names")
FIRST_NAMES: list[str] = _names["first_names"]
LAST_NAMES: list[str] = _names["last_names"]
HANDLES: list[str] = _names["handles"]

# Hand-written ideas (body and response are Markdown). days_ago places them on the board's
# timeline, popularity is a relative weight for the vote allocation, hot ideas get a burst of
# recent votes, demote_rate overrides the usual share of demotes for ideas people disagree
# about. An idea past "new" reached its status through the steps in seed_demo.STATUS_PATHS,
# the last of them with its "response".
_ideas = _load("ideas")
IDEAS: list[dict] = _ideas["ideas"]
# Who wrote which hand-written idea (by title), so the cast has a history on the board.
IDEA_AUTHORS: dict[str, str] = _ideas["authors"]

# Discussions on the most popular hand-written ideas (by title), oldest first. "by" is a demo
# login, "op" (the idea's author) or "customer" (a customer who had joined by then). A comment
# has at most one reply; "after_response" places it after the idea's last status change.
DISCUSSIONS: dict[str, list[dict]] = _load("discussions")

# generated.json: pools for generated ideas: per category, title templates with {slots} filled
# from SLOTS, and sentences for the description.
_generated = _load("generated")
SLOTS: dict[str, list[str]] = _generated["slots"]
TEMPLATES: dict[str, list[str]] = _generated["templates"]
REASONS: dict[str, list[str]] = _generated["reasons"]
CLOSERS: list[str] = _generated["closers"]

# The Storm Session running on the demo board: its window and the hand-written ideas (by
# title) filed in it.
STORM_SESSION: dict = _load("storm_session")
