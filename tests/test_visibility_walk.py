"""No route leaks what its viewer may not see. Every URL pattern that takes an idea's or a
comment's id is requested, by every method, as a visitor and as a member, against a hidden, a
held, a withdrawn, a merged and a deleted item; no response (its body or its Location) may
carry the item's text. Moderators may see hidden and held items: their routes are walked as
the others, and only a moderator is let in."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.factories import CommentFactory, IdeaFactory, UserFactory

# The words each item carries in its title or body, distinct from every other text on a page.
IDEA_WORD = "zebracorn"
COMMENT_WORD = "quokkalyx"
METHODS = ("get", "post", "put", "patch", "delete")
# A body for each kind of form the routes take: a reason, a body, a vote, a status, a merge.
BODIES = [
    {},
    {
        "reason": "spam",
        "body": "A reply",
        "value": "1",
        "status": "planned",
        "response": "Yes",
        "into": "1",
        "parent": "1",
        "title": "An edited title",
        "description": "An edited description",
    },
]


def _walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def routes_taking(kind: str) -> list[str]:
    """Routes whose id is an idea's (kind="ideas") or a comment's (kind="comments")."""
    return sorted(
        route
        for route in _walk(get_resolver().url_patterns)
        if f"{kind}/<id:pk>" in route and not route.startswith("admin/")
    )


def test_the_walk_covers_the_routes_it_should():
    ideas, comments = routes_taking("ideas"), routes_taking("comments")
    assert "ideas/<id:pk>/" in ideas
    assert "ideas/<id:pk>/<slug:slug>/" in ideas
    assert "api/ideas/<id:pk>/vote/" in ideas
    assert "comments/<id:pk>/flag/" in comments
    assert "api/comments/<id:pk>/" in comments
    assert len(ideas) >= 25 and len(comments) >= 8


@pytest.fixture
def items(db, category):
    author = UserFactory(username="author")
    now = timezone.now()

    def idea(state: str, **fields):
        return IdeaFactory(
            title=f"The {state} {IDEA_WORD} idea",
            description=f"All about the {state} {IDEA_WORD}.",
            author=author,
            category=category,
            **fields,
        )

    kept = IdeaFactory(title="Where duplicates go", author=author, category=category)
    ideas = {
        "hidden": idea("hidden", hidden_at=now),
        "held": idea("held", held_at=now),
        "withdrawn": idea("withdrawn", withdrawn_at=now),
        "merged": idea("merged", merged_into=kept),
    }
    shown = IdeaFactory(title="A shown idea", author=author, category=category)

    def comment(state: str, on=shown, **fields):
        return CommentFactory(
            idea=on, author=author, body=f"The {state} {COMMENT_WORD} comment.", **fields
        )

    comments = {
        "hidden": comment("hidden", hidden_at=now),
        "held": comment("held", held_at=now),
        "deleted": comment("deleted", deleted_at=now),
        "on a hidden idea": comment("on-hidden-idea", on=ideas["hidden"]),
        "on a held idea": comment("on-held-idea", on=ideas["held"]),
        "on a withdrawn idea": comment("on-withdrawn-idea", on=ideas["withdrawn"]),
    }
    return {"ideas": ideas, "comments": comments}


def _leaks(response, word: str) -> bool:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    location = response.get("Location", "")
    return word in body.decode(errors="replace").lower() or word in location.lower()


@pytest.mark.parametrize("who", ["visitor", "member"])
@pytest.mark.parametrize("kind", ["ideas", "comments"])
def test_no_route_shows_what_the_viewer_may_not_see(client, items, who, kind):
    if who == "member":
        UserFactory(username="nosy")
        assert client.login(username="nosy", password=PASSWORD)
    # A comment's route must not tell its idea's title either (a login redirect's `next`).
    words = (IDEA_WORD,) if kind == "ideas" else (COMMENT_WORD, IDEA_WORD)
    leaks = []
    for state, item in items[kind].items():
        for route in routes_taking(kind):
            path = "/" + route.replace("<id:pk>", str(item.pk)).replace("<slug:slug>", "any")
            path = path.replace("<slug:action>", "hide")
            for method in METHODS:
                if not route.startswith("api/") and method not in ("get", "post"):
                    continue
                for body in BODIES:
                    send = getattr(client, method)
                    if route.startswith("api/"):
                        response = send(path, body, content_type="application/json")
                    else:
                        response = send(path, body)
                    assert response.status_code < 500, (state, method, path)
                    # A flash message belongs to the page a redirect leads to (a merged idea's
                    # page says what was merged into the kept one): not to the next request's.
                    client.cookies.pop("messages", None)
                    if any(_leaks(response, word) for word in words):
                        leaks.append(f"{method.upper()} {path} ({state}): {response.status_code}")
    assert not leaks, "\n".join(leaks)


def test_the_walk_sees_a_leak(client, items):
    """The check itself: the idea page of a shown idea carries its comments' text, so the walk
    would report a route that answered with a hidden item."""
    shown = items["comments"]["hidden"].idea
    CommentFactory(idea=shown, body=f"A shown {COMMENT_WORD} comment.")
    assert _leaks(client.get(f"/ideas/{shown.pk}/"), COMMENT_WORD)
