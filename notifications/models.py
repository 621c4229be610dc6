from django.conf import settings
from django.db import models


class Follow(models.Model):
    """A member's explicit choice about an idea: follow (True) or unfollow (False).

    Voting on or commenting on an idea follows it implicitly (when the member's auto_follow is
    on) without writing a row here, so the vote path stays one statement; an explicit row
    overrides that either way. notifications.selectors.followers() joins the three."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    idea = models.ForeignKey("ideas.Idea", on_delete=models.CASCADE, related_name="follows")
    following = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "idea"], name="follow_one_per_user_idea"),
        ]
        indexes = [models.Index(fields=["idea", "following"], name="follow_idea_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {'follows' if self.following else 'unfollows'} {self.idea_id}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        STATUS = "status", "Status change"
        RESPONSE = "response", "Official response"
        COMMENT = "comment", "New comment"
        SHIPPED = "shipped", "Shipped (changelog)"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    idea = models.ForeignKey("ideas.Idea", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.ForeignKey(
        "comments.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    # Set when the email (single or digest) went out: the email jobs send each one once.
    emailed_at = models.DateTimeField(null=True, blank=True)
    # A worker is sending it until then (notifications.emails): a worker that dies mid-send
    # leaves a claim that runs out, and the next run sends it.
    email_claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            # The email jobs look for what is not yet emailed.
            models.Index(
                fields=["created_at"],
                condition=models.Q(emailed_at__isnull=True),
                name="notification_unemailed_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.message
