"""AuditEntry (from moderation) and JobRun (from votes) move to core as they are: their tables
(moderation_auditentry, with its append-only trigger, and votes_jobrun) keep their names and
rows; only Django's state moves."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("moderation", "0002_bans_audit_spam_stuffing"),
        ("votes", "0005_vote_cleared"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="JobRun",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=80, unique=True)),
                        ("started_at", models.DateTimeField(null=True)),
                        ("finished_at", models.DateTimeField(null=True)),
                        ("succeeded_at", models.DateTimeField(null=True)),
                        ("last_ok_started_at", models.DateTimeField(null=True)),
                        ("ok", models.BooleanField(default=False)),
                        ("detail", models.JSONField(default=dict)),
                    ],
                    options={
                        "db_table": "votes_jobrun",
                    },
                ),
                migrations.CreateModel(
                    name="AuditEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("actor_name", models.CharField(blank=True, max_length=150)),
                        ("action", models.CharField(max_length=40)),
                        ("target_type", models.CharField(max_length=20)),
                        ("target_id", models.BigIntegerField(null=True)),
                        ("target_label", models.CharField(blank=True, max_length=200)),
                        ("reason", models.TextField(blank=True)),
                        ("before", models.JSONField(blank=True, default=dict)),
                        ("after", models.JSONField(blank=True, default=dict)),
                        ("created_at", models.DateTimeField()),
                        (
                            "actor",
                            models.ForeignKey(
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "audit entries",
                        "db_table": "moderation_auditentry",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [
                            models.Index(fields=["-created_at"], name="audit_time_idx"),
                            models.Index(
                                fields=["target_type", "target_id"], name="audit_target_idx"
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
