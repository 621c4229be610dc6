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


class Ban(models.Model):
    """One ban, kept for the record; the user row carries the current one (banned_until)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bans"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=300)
    # None: until a moderator lifts it.
    until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"ban of {self.user_id}"


class SpamRule(models.Model):
    """Set by admins: content containing a blocked word or linking to a blocked domain is held
    for review whatever the hold setting."""

    class Kind(models.TextChoices):
        WORD = "word", "Blocked word"
        DOMAIN = "domain", "Blocked domain"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="spamrule_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class StuffingCase(models.Model):
    """A group of votes the stuffing job found suspicious. Its votes are quarantined (kept,
    counted in no score) until a moderator confirms (they stay out) or releases (they count
    again)."""

    class Rule(models.TextChoices):
        BURST = "burst", "Burst of votes from new accounts on one network"
        RING = "ring", "Accounts on one network voting on the same ideas within minutes"

    class State(models.TextChoices):
        OPEN = "open", "Waiting for a moderator"
        CONFIRMED = "confirmed", "Confirmed: votes stay out"
        RELEASED = "released", "Released: votes count again"

    rule = models.CharField(max_length=10, choices=Rule.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    network = models.CharField(max_length=64)
    # The idea of a burst; a ring spans several (in evidence).
    idea = models.ForeignKey("ideas.Idea", null=True, blank=True, on_delete=models.CASCADE)
    accounts = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    evidence = models.JSONField(default=dict)
    # The job's key for this finding, so running it twice never opens the case twice.
    fingerprint = models.CharField(max_length=64, unique=True)
    detected_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-detected_at"]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} ({self.network})"
