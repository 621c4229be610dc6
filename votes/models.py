from django.conf import settings
from django.db import models
from django.db.models import Q


class Vote(models.Model):
    PROMOTE = 1
    DEMOTE = -1
    VALUES = ((PROMOTE, "Promote"), (DEMOTE, "Demote"))

    # No single-column indexes: the unique (voter, idea) and the (idea, created_at) indexes lead
    # with these columns, and every index costs every vote.
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes", db_index=False
    )
    idea = models.ForeignKey(
        "ideas.Idea", on_delete=models.CASCADE, related_name="votes", db_index=False
    )
    value = models.SmallIntegerField(choices=VALUES)
    created_at = models.DateTimeField()
    # The voter's network (an IPv4 /24 or IPv6 /48), for the vote-stuffing job; "" if unknown.
    network = models.CharField(max_length=64, blank=True, default="", db_default="")
    # A vote a product manager recorded for the customer (from a call or an email).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    recorded_note = models.CharField(max_length=500, blank=True, default="", db_default="")
    # Set while the vote is quarantined by a stuffing case: kept, counted in no score.
    quarantine = models.ForeignKey(
        "moderation.StuffingCase",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="votes",
        db_index=False,
    )
    # A moderator released it from a stuffing case: no rule quarantines it again.
    cleared = models.BooleanField(default=False, db_default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["voter", "idea"], name="vote_one_per_voter_idea"),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="vote_value_is_pm_one"),
        ]
        indexes = [
            models.Index(fields=["idea", "created_at"], name="vote_idea_time_idx"),
            # Partial: a new vote (never quarantined) does not touch it.
            models.Index(
                fields=["quarantine"],
                condition=Q(quarantine__isnull=False),
                name="vote_quarantine_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voter_id} {'+' if self.value > 0 else '-'} idea {self.idea_id}"


class RankingEpoch(models.Model):
    """The one row holding the Popular key's reference time t0 and the half-life the keys were
    built with. Votes read it under a share lock; a rebase or rebuild locks it to change it."""

    t0 = models.DateTimeField()
    half_life_days = models.FloatField()
    rebased_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="ranking_epoch_singleton")]

    def __str__(self) -> str:
        return f"t0={self.t0.isoformat()} H={self.half_life_days}d"


class TopRequestSnapshot(models.Model):
    """The top product requests at one moment, one per hour at most (`period`)."""

    period = models.DateTimeField(unique=True)
    taken_at = models.DateTimeField()

    class Meta:
        ordering = ["-period"]
        get_latest_by = "period"

    def __str__(self) -> str:
        return f"Top requests {self.period:%Y-%m-%d %H:00}"


class TopRequestEntry(models.Model):
    """One idea's place in a snapshot, overall (category null) or within its category."""

    snapshot = models.ForeignKey(
        TopRequestSnapshot, on_delete=models.CASCADE, related_name="entries"
    )
    idea = models.ForeignKey("ideas.Idea", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(
        "ideas.Category", null=True, on_delete=models.CASCADE, related_name="+"
    )
    rank = models.PositiveIntegerField()
    score = models.IntegerField()
    promotes = models.PositiveIntegerField()
    demotes = models.PositiveIntegerField()
    previous_rank = models.PositiveIntegerField(null=True)

    class Meta:
        ordering = ["snapshot", "category", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "category", "rank"],
                name="entry_rank_once",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.rank} idea {self.idea_id}"

    @property
    def movement(self) -> int | None:
        """Places gained since the previous snapshot (negative: lost); None when new."""
        return None if self.previous_rank is None else self.previous_rank - self.rank
