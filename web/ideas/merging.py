"""What the merge pages read: the ideas a product manager may merge a duplicate into, found by
words of their title or by number, and what a merge of one into another would move."""

from django.db.models import QuerySet

from comments.models import Comment
from ideas import search
from ideas.models import Idea
from notifications.models import Follow
from votes.models import Vote

# Enough to find the right one without scrolling a phone's screen twice.
CANDIDATES = 8
QUERY_MAX_LENGTH = 200


def mergeable() -> QuerySet:
    """Ideas that may take part in a merge, either way: the ones everyone sees."""
    return Idea.objects.visible()


def merge_candidates(merged: Idea, text: str) -> list[Idea]:
    """Up to CANDIDATES ideas to keep instead of `merged` that match the text: "#12" or "12"
    finds that idea first, words find the best-supported ideas containing all of them."""
    text = text.strip()[:QUERY_MAX_LENGTH]
    if not text:
        return []
    others = mergeable().exclude(pk=merged.pk).for_list()
    found: list[Idea] = []
    number = text.removeprefix("#")
    if number.isascii() and number.isdigit() and len(number) < 12:
        found = list(others.filter(pk=int(number)))
    matches = others.filter(pk__in=search.matching(mergeable(), text).values("pk"))
    found += list(
        matches.exclude(pk__in=[i.pk for i in found]).order_by("-score", "-id")[:CANDIDATES]
    )
    return found[:CANDIDATES]


def merge_preview(merged: Idea, kept: Idea) -> dict:
    """The figures the confirmation shows: what would move from `merged` to `kept`."""
    kept_voters = Vote.objects.filter(idea=kept).values("voter_id")
    votes = Vote.objects.filter(idea=merged)
    kept_followers = Follow.objects.filter(idea=kept).values("user_id")
    return {
        "votes": votes.count(),
        "overlapping_votes": votes.filter(voter_id__in=kept_voters).count(),
        "comments": Comment.objects.filter(idea=merged).count(),
        "followers": Follow.objects.filter(idea=merged).exclude(user_id__in=kept_followers).count(),
    }
