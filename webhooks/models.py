"""Webhooks: endpoints an admin registers for board events, and the log of what was sent."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models

from core import outbound

# A delivery keeps this much of the receiver's answer, control characters removed.
RESPONSE_EXCERPT_CHARS = 200


class Event(models.TextChoices):
    IDEA_CREATED = "idea.created", "An idea is posted"
    IDEA_STATUS_CHANGED = "idea.status_changed", "An idea's status changes"
    IDEA_OFFICIAL_RESPONSE = "idea.official_response", "An idea gets an official response"
    IDEA_VOTE_THRESHOLD = "idea.vote_threshold", "An idea's score reaches 10, 50, 100, 500, 1000"
    IDEA_MERGED = "idea.merged", "An idea is merged into another"
    IDEA_MERGE_UNDONE = "idea.merge_undone", "A merge is undone: the idea is back on its own"
    IDEA_ARCHIVED = "idea.archived", "An idea is archived after months without votes or comments"


# "Send test" sends this event, whatever the webhook subscribes to.
PING = "ping"


def new_secret() -> str:
    return secrets.token_hex(32)


def validate_destination(url: str) -> None:
    """The URL must lead where the server may connect (core.outbound: no loopback, private,
    link-local... address, nor this site, unless IDEASTORM_WEBHOOK_ALLOWED_NETWORKS opens
    it). Each delivery checks again, as DNS may answer differently by then."""
    try:
        outbound.destination_check(
            url, allowed_networks=settings.IDEASTORM_WEBHOOK_ALLOWED_NETWORKS
        )
    except (outbound.Refused, outbound.Unresolvable) as error:
        raise ValidationError(f"This URL is refused: {error}.", code="destination") from None


class Webhook(models.Model):
    url = models.URLField(
        "URL",
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"]), validate_destination],
    )
    # A list of Event values.
    events = models.JSONField(default=list)
    secret = models.CharField(
        max_length=64,
        default=new_secret,
        editable=False,
        help_text="Each delivery is signed with it (X-IdeaStorm-Signature, webhook-signature).",
    )
    # The secret before the last rotation: deliveries carry a webhook-signature made with it
    # too until it expires, so the receiver can switch to the new one at its own pace.
    previous_secret = models.CharField(max_length=64, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["url", "id"]

    def __str__(self) -> str:
        return self.url

    def subscribes_to(self, event: str) -> bool:
        return event in self.events

    def signing_secrets(self, now) -> list[str]:
        """The secrets a delivery sent `now` is signed with: the current one, and the previous
        one while its grace period lasts."""
        previous = self.previous_secret and self.previous_secret_expires_at
        if previous and self.previous_secret_expires_at > now:
            return [self.secret, self.previous_secret]
        return [self.secret]


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    attempts = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # The last attempt's outcome.
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # Only the start of the answer: a receiver's body is not ours to keep or show.
    response_body = models.CharField(
        f"response (first {RESPONSE_EXCERPT_CHARS} characters)",
        max_length=RESPONSE_EXCERPT_CHARS,
        blank=True,
    )
    error = models.TextField(blank=True)
    # When a pending delivery is next due; pushed forward while an attempt is under way.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="delivery_due_idx",
            ),
            models.Index(fields=["webhook", "-created_at"], name="delivery_webhook_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk}"


class DeliveryAttempt(models.Model):
    """One attempt at a delivery: when, how long, and what came back (or why nothing did)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    # 1 for the first attempt, 2 for the first retry...
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField("duration (ms)")
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.CharField(
        f"response (first {RESPONSE_EXCERPT_CHARS} characters)",
        max_length=RESPONSE_EXCERPT_CHARS,
        blank=True,
    )
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["delivery", "number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="attempt_number_unique")
        ]

    def __str__(self) -> str:
        return f"delivery #{self.delivery_id}, attempt {self.number}"


class WebhookThreshold(models.Model):
    """The highest vote threshold already announced for an idea, so each is announced once."""

    idea = models.OneToOneField(
        "ideas.Idea", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    announced = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"idea #{self.idea_id}: {self.announced}"
