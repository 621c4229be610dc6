"""The records plumbing keeps: the audit log and the last run of each periodic job."""

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """Who did what to what, when, why, and the state before and after. Written only by
    core.audit.audit_record; never changed (on PostgreSQL a trigger refuses UPDATE and
    DELETE)."""

    # No database constraint: removing a user must not rewrite the log (the trigger would
    # refuse); actor_name keeps who it was.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=40)
    target_type = models.CharField(max_length=20)
    target_id = models.BigIntegerField(null=True)
    target_label = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "moderation_auditentry"  # moved from moderation; the table kept its name
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["-created_at"], name="audit_time_idx"),
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type} {self.target_id}"


class JobRun(models.Model):
    """The last run of each periodic job, for /healthz and the operators."""

    name = models.CharField(max_length=80, unique=True)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    succeeded_at = models.DateTimeField(null=True)
    # The start of the last successful run: incremental jobs continue from there.
    last_ok_started_at = models.DateTimeField(null=True)
    ok = models.BooleanField(default=False)
    detail = models.JSONField(default=dict)

    class Meta:
        db_table = "votes_jobrun"  # moved from votes; the table kept its name

    def __str__(self) -> str:
        return self.name


class Lease(models.Model):
    """A named lock held until `expires_at` (the database's clock) unless renewed: the lead of
    the beats ("beat") and each periodic job's run ("job:<name>"). Unlike a session advisory
    lock it works through a transaction-mode pooler, and a holder that dies lets go when its
    lease runs out (core.leases)."""

    name = models.CharField(max_length=100, unique=True)
    holder = models.CharField(max_length=200)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder} until {self.expires_at:%H:%M:%S}"


class PeriodicDispatch(models.Model):
    """One period's run of a beat entry, recorded by the beat that sends it (core.beat): the
    unique constraint is what makes two beats send a period's job once. The worker counts the
    message's successful runs, and those that found another run holding the job's lease."""

    name = models.CharField(max_length=80)  # the beat entry's name (ideastorm.celery)
    period = models.DateTimeField()  # the time the run was due, to the minute or interval
    beat = models.CharField(max_length=200)  # the sending beat's lease holder id
    task_id = models.CharField(max_length=80, unique=True)
    sent_at = models.DateTimeField()
    completions = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "period"], name="periodic_dispatch_once")
        ]
        indexes = [models.Index(fields=["sent_at"], name="periodic_dispatch_sent")]

    def __str__(self) -> str:
        return f"{self.name} for {self.period:%Y-%m-%d %H:%M:%S}"


class ApiTokenUse(models.Model):
    """When an API token (DRF's authtoken) was last used, to the hour: core.auth writes it at
    most once an hour per token, never on every request. Goes with its token."""

    token = models.OneToOneField(
        "authtoken.Token", on_delete=models.CASCADE, primary_key=True, related_name="use"
    )
    last_used_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"token of user {self.token.user_id} last used {self.last_used_at:%Y-%m-%d %H:%M}"


class FormToken(models.Model):
    """A create form's one-time token (core.formtokens): recorded in the transaction that
    created the object, so a second post of the same form (Back then Submit, a double click,
    two tabs) finds that object instead of creating another. Kept a few days."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)  # what the form creates: "idea", "comment", ...
    token = models.CharField(max_length=64)
    object_id = models.BigIntegerField(null=True)  # set in the same transaction as the claim
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "token"], name="form_token_once")
        ]
        indexes = [models.Index(fields=["created_at"], name="form_token_created")]

    def __str__(self) -> str:
        return f"{self.kind} token of user {self.user_id}"
