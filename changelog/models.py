"""What shipped: entries product managers write, each linking the ideas it delivers. Publishing
one (actions.changelog) marks those ideas Implemented and tells their voters and followers."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

TITLE_MAX_LENGTH = 120


class EntryQuerySet(models.QuerySet):
    def published(self) -> "EntryQuerySet":
        return self.filter(published_at__isnull=False)

    def due(self, now=None) -> "EntryQuerySet":
        """Scheduled entries whose time has come, not yet published."""
        return self.filter(published_at__isnull=True, publish_at__lte=now or timezone.now())

    def newest_first(self) -> "EntryQuerySet":
        return self.order_by("-published_at", "-id")


class Entry(models.Model):
    """A draft (no publish_at), scheduled (publish_at ahead) or published (published_at set,
    once, when its ideas were marked and their people told)."""

    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    body = models.TextField(blank=True, help_text="Markdown")
    body_html = models.TextField(blank=True, editable=False)
    ideas = models.ManyToManyField("ideas.Idea", blank=True, related_name="changelog_entries")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    publish_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # How many people were told when it was published (in the app; email as each chooses).
    notified = models.PositiveIntegerField(default=0)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "changelog entries"
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(
                fields=["-published_at", "-id"],
                condition=Q(published_at__isnull=False),
                name="changelog_published_idx",
            ),
            models.Index(
                fields=["publish_at"],
                condition=Q(published_at__isnull=True, publish_at__isnull=False),
                name="changelog_scheduled_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(publish_at__isnull=False),
                name="changelog_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("changelog-entry", kwargs={"pk": self.pk, "slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_scheduled(self) -> bool:
        return self.published_at is None and self.publish_at is not None

    @property
    def slug(self) -> str:
        return slugify(self.title)[:60] or "entry"
