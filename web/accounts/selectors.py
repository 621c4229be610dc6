"""Reads about a member that span apps: what their public profile shows."""

from django.db.models import Count, Sum

from accounts.models import User
from ideas.models import Idea


def member_totals(person: User) -> dict[str, int]:
    """The member's visible ideas and their points: the net score of those ideas."""
    return (
        Idea.objects.visible()
        .filter(author=person)
        .aggregate(ideas=Count("pk"), points=Sum("score", default=0))
    )
