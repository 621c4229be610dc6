"""Holds: new posts that wait for a moderator before anyone else sees them.

A post is held when it matches a spam rule (too many links, a blocked word, a link to a
blocked domain), whatever the settings, and, with IDEAS_HOLD_NEW_ACCOUNTS on, when its author
is a new account: one with no idea or comment shown on the board yet. A moderator approving
(restoring) one of the member's posts is what makes the account no longer new."""

import re
from html import unescape
from urllib.parse import urlsplit

from django.conf import settings

from comments.models import Comment
from core.markdown import render_markdown
from core.roles import is_staff_member
from core.text import fold
from ideas.models import Idea
from moderation.models import SpamRule

# More links than this in one post (http(s) URLs in the Markdown source) is held.
SPAM_MAX_LINKS = 3
WAITING_FOR_REVIEW = "Waiting for review: a moderator will look at it soon."
NEW_ACCOUNT = "A new account's post waits for a moderator's review."

# A URL in the source: http(s), or protocol-relative ("//host/..."), which browsers open too.
_URL = re.compile(r"(?:https?:)?//[^\s<>\"'()\[\]/]+[^\s<>\"'()\[\]]*", re.IGNORECASE)
_HREF = re.compile(r'href="([^"]*)"')


def _links(text: str) -> list[str]:
    """Every link in the post, in any form: URLs written in the text, and every link the
    Markdown renders (inline, reference, autolink, escaped), as the page will show it."""
    written = _URL.findall(text)
    rendered = [
        unescape(href) for href in _HREF.findall(render_markdown(text)) if _host(unescape(href))
    ]
    return written if len(written) >= len(rendered) else rendered


def _hosts(text: str) -> set[str]:
    written = {_host(url if "://" in url else f"http:{url}") for url in _URL.findall(text)}
    rendered = {_host(unescape(href)) for href in _HREF.findall(render_markdown(text))}
    return (written | rendered) - {""}


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


def _domain(value: str) -> str:
    """A blocked domain as an admin may type it: "Example.com", "*.example.com", a URL."""
    value = value.strip().lower()
    if "//" in value:
        value = _host(value if "://" in value else f"http:{value}")
    return value.strip("/").lstrip("*.").rstrip(".")


def _spam_reason(text: str) -> str | None:
    links = _links(text)
    if len(links) > SPAM_MAX_LINKS:
        return f"More than {SPAM_MAX_LINKS} links ({len(links)})."
    rules = list(SpamRule.objects.values_list("kind", "value"))
    # Words are matched as they read (core.text.fold): no zero-width character, fullwidth or
    # Cyrillic letter inside a word hides it.
    folded = fold(text)
    for kind, value in rules:
        word = value.strip() if kind == SpamRule.Kind.WORD else ""
        if word and re.search(rf"(?<!\w){re.escape(fold(word))}(?!\w)", folded, re.IGNORECASE):
            return f"Blocked word: {word}."
    hosts = _hosts(text)
    for kind, value in rules:
        domain = _domain(value) if kind == SpamRule.Kind.DOMAIN else ""
        if domain and any(host == domain or host.endswith(f".{domain}") for host in hosts):
            return f"Link to a blocked domain: {domain}."
    return None


def is_new_account(user) -> bool:
    """No idea or comment of theirs is shown (neither held nor hidden). Staff never are."""
    if is_staff_member(user):
        return False
    shown = {"author": user, "held_at__isnull": True, "hidden_at__isnull": True}
    return not (Idea.objects.filter(**shown).exists() or Comment.objects.filter(**shown).exists())


def hold_reason(*, author, text: str, edit: bool = False) -> str | None:
    """Why a post by `author` with this text (title and description, or a comment's body)
    waits for review, or None when it is shown at once. The spam rules apply to every write,
    an edit too; the new-account rule to new posts only (an edit of a shown post means the
    account is no longer new)."""
    reason = _spam_reason(text or "")
    if reason:
        return reason
    if not edit and settings.IDEAS_HOLD_NEW_ACCOUNTS and is_new_account(author):
        return NEW_ACCOUNT
    return None
