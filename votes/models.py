from django.conf import settings
from django.db import models
from django.db.models import Q


class Vote(models.Model):
    PROMOTE = 1
    DEMOTE = -1
    VALUES = ((PROMOTE, "Promote"), (DEMOTE, "Demote"))

    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes"
    )
    idea = models.ForeignKey("ideas.Idea", on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField(choices=VALUES)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["voter", "idea"], name="vote_one_per_voter_idea"),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="vote_value_is_pm_one"),
        ]
        indexes = [models.Index(fields=["idea", "created_at"], name="vote_idea_time_idx")]

    def __str__(self) -> str:
        return f"{self.voter_id} {'+' if self.value > 0 else '-'} idea {self.idea_id}"


class JobRun(models.Model):
    """The last run of each periodic job, for /healthz and the operators."""

    name = models.CharField(max_length=80, unique=True)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    succeeded_at = models.DateTimeField(null=True)
    ok = models.BooleanField(default=False)
    detail = models.JSONField(default=dict)

    def __str__(self) -> str:
        return self.name
