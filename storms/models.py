from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse


class StormSessionQuerySet(models.QuerySet):
    def active(self, now) -> "StormSessionQuerySet":
        """Open for ideas: decided by the times alone, so a late job never lets one in."""
        return self.filter(starts_at__lte=now, ends_at__gt=now)

    def upcoming(self, now) -> "StormSessionQuerySet":
        return self.filter(starts_at__gt=now).order_by("starts_at")

    def past(self, now) -> "StormSessionQuerySet":
        return self.filter(ends_at__lte=now).order_by("-ends_at")

    def announced(self, now) -> "StormSessionQuerySet":
        """What the home page lists: opened by the job and not yet closed. The job's flags
        drive it because its board version bump is what refreshes the cached home page."""
        return self.filter(
            opened_at__isnull=False, closed_at__isnull=True, ends_at__gt=now
        ).order_by("ends_at")


class StormSession(models.Model):
    """A time-boxed topic (Dell's Storm Sessions): customers submit ideas into it between its
    start and end; afterwards it is read-only and shows its top ideas."""

    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    description_html = models.TextField(blank=True, editable=False)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # Optional: the categories its ideas may be filed in (none = any).
    categories = models.ManyToManyField("ideas.Category", blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    # Set by the Celery job when it opens and closes the session on time (storms.tasks).
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = StormSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="storm_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("storm-detail", kwargs={"slug": self.slug})

    def is_active(self, now) -> bool:
        return self.starts_at <= now < self.ends_at

    def is_closed(self, now) -> bool:
        """Read-only: closed by the job, or past its end while the job is late."""
        return self.closed_at is not None or self.ends_at <= now
