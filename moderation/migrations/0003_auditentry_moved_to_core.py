"""AuditEntry moved to core; its table stays (core.AuditEntry names it): state only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0002_bans_audit_spam_stuffing"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEntry")],
            database_operations=[],
        ),
    ]
