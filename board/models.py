"""The board's own settings, one row, edited by admins in the app (/manage/board/)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

DEFAULT_ACCENT = "#1d4ed8"
# The idea list's orders an admin may offer; ideas.models.SORTS holds their ORDER BY (ideas sits
# above this app, so the names are repeated here and a test pins them equal).
SORT_CHOICES = [
    ("popular", "Popular"),
    ("top", "Top"),
    ("new", "New"),
    ("trending", "Trending"),
]


def default_name() -> str:
    """IDEASTORM_SITE_NAME until the admins name the board."""
    return settings.IDEASTORM_SITE_NAME


def all_sorts() -> list[str]:
    return [name for name, _ in SORT_CHOICES]


class BoardSettings(models.Model):
    """The one row (id 1) of what makes the board a company's own. Read through
    board.selectors.board_settings(), cached, never queried per page."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    name = models.CharField(max_length=60, default=default_name)
    tagline = models.CharField(max_length=120, blank=True, default="tell us what to build next")
    welcome = models.TextField(blank=True, help_text="Markdown")
    welcome_html = models.TextField(blank=True, editable=False)
    meta_description = models.CharField(max_length=160, blank=True)
    # A path in the default storage ("board/logo-<hash>.png"), written by board.images.
    logo = models.CharField(max_length=200, blank=True)
    logo_width = models.PositiveSmallIntegerField(null=True, blank=True)
    logo_height = models.PositiveSmallIntegerField(null=True, blank=True)
    accent = models.CharField(max_length=7, default=DEFAULT_ACCENT)
    sorts = models.JSONField(default=all_sorts)
    default_sort = models.CharField(max_length=20, choices=SORT_CHOICES, default="popular")
    storms_enabled = models.BooleanField(default=True)
    downvotes_enabled = models.BooleanField(default=True)
    anonymous_reading = models.BooleanField(default=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "board settings"
        verbose_name_plural = "board settings"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="board_settings_single_row"),
            models.CheckConstraint(
                condition=Q(accent__regex=r"^#[0-9a-f]{6}$"), name="board_accent_hex"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="board_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name
