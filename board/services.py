"""Writes to the board's settings: one place, audited, every cached copy forgotten."""

import contextlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from board.contrast import AA_NORMAL_TEXT, HEX_COLOUR, contrast_ratio
from board.models import SORT_CHOICES, BoardSettings
from board.selectors import board_settings_forget
from core.audit import audit_record
from core.markdown import render_markdown
from core.pagecache import board_changed

# What the accent colour must stand out against: white (the text on a filled button) and the
# page and card backgrounds (links). static/css/site.css defines the same colours.
ACCENT_BACKGROUNDS = {"white button text": "#ffffff", "the page background": "#f5f6f9"}

EDITABLE = (
    "name", "tagline", "welcome", "meta_description", "accent", "sorts", "default_sort",
    "storms_enabled", "downvotes_enabled", "anonymous_reading",
)  # fmt: skip


def accent_check(accent: str) -> str:
    """The colour, lower-cased, or ValidationError saying which contrast fails WCAG AA."""
    accent = (accent or "").strip().lower()
    if not HEX_COLOUR.fullmatch(accent):
        raise ValidationError("Give a colour as # and six hex digits, for example #1d4ed8.")
    for against, colour in ACCENT_BACKGROUNDS.items():
        ratio = contrast_ratio(accent, colour)
        if ratio < AA_NORMAL_TEXT:
            raise ValidationError(
                "%(accent)s has a contrast of %(ratio).2f:1 against %(against)s; WCAG AA needs "
                "4.5:1. Choose a darker colour.",
                params={"accent": accent, "ratio": ratio, "against": against},
                code="contrast",
            )
    return accent


def sorts_check(sorts: list[str], default_sort: str) -> list[str]:
    known = [name for name, _ in SORT_CHOICES]
    chosen = [name for name in known if name in set(sorts)]
    if not chosen:
        raise ValidationError({"sorts": "Keep at least one order for the idea list."})
    if default_sort not in chosen:
        raise ValidationError({"default_sort": "The default order must be one of those offered."})
    return chosen


@transaction.atomic
def board_settings_update(
    *, actor, changes: dict, logo: tuple[bytes, int, int, str] | None = None, remove_logo=False
) -> BoardSettings:
    """Apply `changes` (fields of EDITABLE) and a new logo (from board.images.logo_clean) or its
    removal. The row is locked, so two admins saving at once apply one after the other."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"Not board settings: {sorted(unknown)}")
    BoardSettings.objects.get_or_create(pk=1)
    row = BoardSettings.objects.select_for_update().get(pk=1)
    if "accent" in changes:
        changes["accent"] = accent_check(changes["accent"])
    if "sorts" in changes or "default_sort" in changes:
        changes["sorts"] = sorts_check(
            changes.get("sorts", row.sorts), changes.get("default_sort", row.default_sort)
        )
    before, after = {}, {}
    for field, value in changes.items():
        if getattr(row, field) != value:
            before[field], after[field] = getattr(row, field), value
            setattr(row, field, value)
    if "welcome" in after:
        row.welcome_html = render_markdown(row.welcome)
    old_logo = row.logo
    if logo is not None:
        data, width, height, name = logo
        if not default_storage.exists(name):
            name = default_storage.save(name, ContentFile(data))
        row.logo, row.logo_width, row.logo_height = name, width, height
    elif remove_logo:
        row.logo, row.logo_width, row.logo_height = "", None, None
    if row.logo != old_logo:
        before["logo"], after["logo"] = old_logo, row.logo
    if not after:
        return row
    row.updated_at = timezone.now()
    row.updated_by = actor
    row.save()
    # The audit log keeps what changed, not the welcome text twice over.
    for long_field in ("welcome",):
        if long_field in after:
            before[long_field], after[long_field] = "(changed)", "(changed)"
    audit_record(
        actor=actor, action="board.settings_changed", target=row, before=before, after=after
    )
    board_changed()
    board_settings_forget()
    if old_logo and old_logo != row.logo:
        transaction.on_commit(lambda: _delete_quietly(old_logo))
    return row


def _delete_quietly(name: str) -> None:
    # A file left behind costs a few kilobytes; the setting is what matters.
    with contextlib.suppress(OSError):
        default_storage.delete(name)
