"""Storm Sessions: creating and editing them, the submission rule, and opening and closing
them on time (the Celery job in storms.tasks calls sessions_open_close)."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.markdown import render_markdown
from core.pagecache import board_changed
from storms.models import StormSession

SLUG_MAX_LENGTH = StormSession._meta.get_field("slug").max_length
# Paths under /sessions/ that a slug must not take.
RESERVED_SLUGS = {"new"}


def storm_slug(title: str) -> str:
    """A slug from the title, unique among sessions: "linux-laptops", then "-2", "-3"..."""
    base = slugify(title)[: SLUG_MAX_LENGTH - 4].strip("-") or "session"
    taken = RESERVED_SLUGS | set(
        StormSession.objects.filter(slug__startswith=base).values_list("slug", flat=True)
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The end must be after the start.")})


def _flags_sync(session: StormSession, now: dt.datetime) -> None:
    """Keep the job's flags true to the times after a PM sets them: moving the end into the
    future reopens a closed session, moving the start into the future unopens it."""
    session.opened_at = (session.opened_at or now) if session.starts_at <= now else None
    session.closed_at = (session.closed_at or now) if session.ends_at <= now else None


@transaction.atomic
def storm_create(
    *,
    actor,
    title: str,
    description: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    categories: Iterable = (),
) -> StormSession:
    _check_times(starts_at, ends_at)
    now = timezone.now()
    session = StormSession(
        title=title.strip(),
        slug=storm_slug(title),
        description=description.strip(),
        description_html=render_markdown(description),
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=actor,
        created_at=now,
    )
    _flags_sync(session, now)
    session.save()
    session.categories.set(list(categories))
    board_changed()
    return session


def storm_fields(session: StormSession) -> dict:
    """What a session is now, in storm_update's terms: where an edit starts from."""
    return {
        "title": session.title,
        "description": session.description,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "categories": list(session.categories.all()),
    }


@transaction.atomic
def storm_update(
    *,
    session: StormSession,
    actor,
    title: str,
    description: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    categories: Iterable = (),
) -> StormSession:
    """Edit a session. Its slug stays, so links to it keep working."""
    _check_times(starts_at, ends_at)
    session = StormSession.objects.select_for_update().get(pk=session.pk)
    session.title = title.strip()
    session.description = description.strip()
    session.description_html = render_markdown(description)
    session.starts_at, session.ends_at = starts_at, ends_at
    _flags_sync(session, timezone.now())
    session.save(
        update_fields=[
            "title",
            "description",
            "description_html",
            "starts_at",
            "ends_at",
            "opened_at",
            "closed_at",
        ]
    )
    session.categories.set(list(categories))
    board_changed()
    return session


def storm_open_check(*, session: StormSession, now: dt.datetime | None = None) -> None:
    """Raise ValidationError unless the session takes ideas now (it runs, by its times)."""
    now = now or timezone.now()
    if not session.is_active(now):
        message = _("This Storm Session is closed.")
        if now < session.starts_at:
            message += " " + _("It opens on %(date)s UTC.") % {
                "date": date_format(session.starts_at, "j F Y, H:i")
            }
        raise ValidationError({"session": message})


def storm_submission_check(*, session: StormSession, category, now: dt.datetime | None = None):
    """Raise ValidationError unless an idea in this category may be submitted into the
    session now: only while it runs (by its times), and in one of its categories if it has
    any."""
    storm_open_check(session=session, now=now)
    allowed = list(session.categories.all())
    if allowed and category not in allowed:
        raise ValidationError({"category": storm_categories_only(allowed)})


def storm_categories_only(allowed) -> str:
    """The refusal of an idea outside the session's categories."""
    return _("This Storm Session takes ideas in %(names)s only.") % {
        "names": ", ".join(c.name for c in allowed)
    }


@transaction.atomic
def sessions_open_close(*, now: dt.datetime | None = None) -> dict:
    """Flag the sessions whose start or end has passed. Conditional updates: a second run
    changes nothing. Cached pages are refreshed when anything changed."""
    now = now or timezone.now()
    opened = StormSession.objects.filter(opened_at__isnull=True, starts_at__lte=now).update(
        opened_at=now
    )
    closed = StormSession.objects.filter(closed_at__isnull=True, ends_at__lte=now).update(
        closed_at=now
    )
    if opened or closed:
        board_changed()
    return {"opened": opened, "closed": closed}


def storm_categories_replace(*, old_category_id: int, new_category_id: int) -> int:
    """Sessions limited to the old category take the new one instead (a category merge).
    Returns how many sessions changed."""
    through = StormSession.categories.through
    session_ids = list(
        through.objects.filter(category_id=old_category_id).values_list(
            "stormsession_id", flat=True
        )
    )
    has_new = set(
        through.objects.filter(
            category_id=new_category_id, stormsession_id__in=session_ids
        ).values_list("stormsession_id", flat=True)
    )
    through.objects.filter(category_id=old_category_id).delete()
    through.objects.bulk_create(
        [
            through(stormsession_id=session_id, category_id=new_category_id)
            for session_id in session_ids
            if session_id not in has_new
        ]
    )
    return len(session_ids)
