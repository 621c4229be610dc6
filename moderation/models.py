from django.conf import settings
from django.db import models
from django.db.models import Q

NOTE_MAX_LENGTH = 500


class Flag(models.Model):
    """A member's report that an idea or a comment breaks the rules, for a moderator to look at.
    One flag per member per target; exactly one of `idea` and `comment` is set."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam"
        ABUSIVE = "abusive", "Abusive"
        DUPLICATE = "duplicate", "Duplicate"
        OFF_TOPIC = "off-topic", "Off-topic"
        OTHER = "other", "Other"

    flagger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags"
    )
    idea = models.ForeignKey(
        "ideas.Idea", null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    comment = models.ForeignKey(
        "comments.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    # Required when the reason is "other" (moderation.services checks it).
    note = models.CharField(max_length=NOTE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField()
    # Set when a moderator has dealt with it; the queue shows the unresolved ones.
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(idea__isnull=False, comment__isnull=True)
                    | Q(idea__isnull=True, comment__isnull=False)
                ),
                name="flag_one_target",
            ),
            models.UniqueConstraint(
                fields=["flagger", "idea"],
                condition=Q(idea__isnull=False),
                name="flag_once_per_idea",
            ),
            models.UniqueConstraint(
                fields=["flagger", "comment"],
                condition=Q(comment__isnull=False),
                name="flag_once_per_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} flag on {self.target_label}"

    @property
    def target(self):
        return self.idea if self.idea_id else self.comment

    @property
    def target_label(self) -> str:
        return f"idea {self.idea_id}" if self.idea_id else f"comment {self.comment_id}"
