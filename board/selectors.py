"""The board's settings as every page reads them: from this process's memory (refreshed every
MEMO_SECONDS), else the shared cache (Redis), else the database, so a page costs no query for
them. A change forgets both at once in the process that made it; other processes see it within
MEMO_SECONDS. Without a shared cache (the embedded default), each process reads the row at most
once per MEMO_SECONDS."""

import hashlib
import time
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import transaction

from board.contrast import darken
from board.models import BoardSettings

MEMO_SECONDS = 2.0
# Bounds how long the shared cache may hold an old row if a change's delete was lost (Redis
# away, or a slower process storing what it read just before the change).
CACHE_SECONDS = 60


def _cache_key() -> str:
    """Per database: two boards sharing a Redis database never read each other's settings."""
    db = settings.DATABASES["default"]
    where = f"{db.get('HOST', '')}:{db.get('PORT', '')}/{db['NAME']}"
    return f"board-settings:v1:{hashlib.sha256(where.encode()).hexdigest()[:16]}"


@dataclass(frozen=True)
class Board:
    # The name the admins gave the board ("" before they saved the settings): `name`.
    own_name: str
    tagline: str
    welcome: str
    welcome_html: str
    meta_description: str
    logo: str
    logo_url: str
    logo_width: int | None
    logo_height: int | None
    accent: str
    accent_hover: str
    sorts: tuple[str, ...]
    default_sort: str
    storms_enabled: bool
    downvotes_enabled: bool
    anonymous_reading: bool

    @property
    def name(self) -> str:
        """The board's name, or IDEASTORM_SITE_NAME until its admins name it."""
        return self.own_name or settings.IDEASTORM_SITE_NAME

    @property
    def theme_version(self) -> str:
        """Changes with the colours, so /theme.css can be cached for a year."""
        return self.accent.lstrip("#")


def _snapshot(row: BoardSettings) -> Board:
    return Board(
        own_name=row.name if row.pk and not row._state.adding else "",
        tagline=row.tagline,
        welcome=row.welcome,
        welcome_html=row.welcome_html,
        meta_description=row.meta_description,
        logo=row.logo,
        logo_url=default_storage.url(row.logo) if row.logo else "",
        logo_width=row.logo_width,
        logo_height=row.logo_height,
        accent=row.accent,
        accent_hover=darken(row.accent, 0.25),
        sorts=tuple(row.sorts) or ("popular",),
        default_sort=row.default_sort,
        storms_enabled=row.storms_enabled,
        downvotes_enabled=row.downvotes_enabled,
        anonymous_reading=row.anonymous_reading,
    )


def _shared_cache() -> bool:
    return "locmem" not in settings.CACHES["default"]["BACKEND"].lower()


def _from_cache(value) -> Board | None:
    """A plain dict in the cache, so a deploy that changes Board's fields reads a miss, not an
    error."""
    if not isinstance(value, dict):
        return None
    try:
        return Board(**value)
    except TypeError:
        return None


_memo: tuple[float, Board] | None = None


def board_settings() -> Board:
    global _memo
    now = time.monotonic()
    memo = _memo
    if memo is not None and memo[0] > now:
        return memo[1]
    board = _from_cache(cache.get(_cache_key())) if _shared_cache() else None
    if board is None:
        row = BoardSettings.objects.filter(pk=1).first() or BoardSettings()
        board = _snapshot(row)
        if _shared_cache():
            cache.set(_cache_key(), asdict(board), CACHE_SECONDS)
    _memo = (now + MEMO_SECONDS, board)
    return board


def _forget() -> None:
    global _memo
    _memo = None
    cache.delete(_cache_key())


def board_settings_forget() -> None:
    """After a change: now (this process reads its own write) and once the change commits (in
    case another process cached the old row meanwhile)."""
    _forget()
    transaction.on_commit(_forget)
