"""The cluster test's board: members with API tokens (half of them emailed about each event,
at verified addresses), a product manager, a few ideas, and a webhook to the test's receiver.
Run with the app's settings and DATABASE_URL; prints what the load needs as JSON.

    python scripts/cluster/seed.py --members 24 --ideas 12 --webhook-url http://...
"""

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ideastorm.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from accounts.models import User  # noqa: E402
from actions.ideas import idea_submit  # noqa: E402
from ideas.models import Category  # noqa: E402
from ideastorm.celery import BEAT_SCHEDULE  # noqa: E402
from webhooks.models import Event, Webhook  # noqa: E402


def schedule() -> dict:
    """Each beat entry's periods: every N seconds, or the minutes and hours of its crontab."""
    entries = {}
    for name, entry in BEAT_SCHEDULE.items():
        when = entry["schedule"]
        if isinstance(when, int | float):
            entries[name] = {"every": float(when)}
        else:
            if (
                len(when.day_of_week) < 7
                or len(when.day_of_month) < 31
                or len(when.month_of_year) < 12
            ):
                raise SystemExit(f"{name}: the cluster test knows daily crontabs only")
            entries[name] = {"minutes": sorted(when.minute), "hours": sorted(when.hour)}
    return entries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=24)
    parser.add_argument("--ideas", type=int, default=12)
    parser.add_argument("--webhook-url", required=True)
    args = parser.parse_args()
    now = timezone.now()
    # Accounts with a history, as members are: joined a month ago.
    joined = now - dt.timedelta(days=30)

    def member(username: str, *, emailed: bool) -> User:
        # No password: the load logs in with API tokens (and hashing one costs a second).
        user = User.objects.create_user(username=username, email=f"{username}@cluster.test")
        user.date_joined = joined
        user.email_verified_at = joined
        user.email_frequency = User.EmailFrequency.EACH if emailed else User.EmailFrequency.NEVER
        user.save(update_fields=["date_joined", "email_verified_at", "email_frequency"])
        return user

    members = [member(f"m{i:02d}", emailed=i % 2 == 0) for i in range(args.members)]
    pm = member("pm", emailed=False)
    call_command("grant_role", "pm", "pm", verbosity=0)
    category, _ = Category.objects.get_or_create(slug="cluster", defaults={"name": "Cluster"})
    ideas = [
        idea_submit(
            author=members[i % len(members)],
            title=f"Cluster idea {i}",
            description=f"Idea {i} of the cluster test.",
            category=category,
        )
        for i in range(args.ideas)
    ]
    Webhook.objects.create(
        url=args.webhook_url,
        events=[
            Event.IDEA_CREATED,
            Event.IDEA_STATUS_CHANGED,
            Event.IDEA_OFFICIAL_RESPONSE,
            Event.IDEA_VOTE_THRESHOLD,
        ],
    )
    tokens = {u.username: Token.objects.create(user=u).key for u in [*members, pm]}
    print(
        json.dumps(
            {
                "members": [u.username for u in members],
                "pm": pm.username,
                "tokens": tokens,
                "ideas": [idea.pk for idea in ideas],
                "schedule": schedule(),
            }
        )
    )


if __name__ == "__main__":
    main()
