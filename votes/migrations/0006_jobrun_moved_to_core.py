"""JobRun moved to core; its table stays (core.JobRun names it): state only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("votes", "0005_vote_cleared"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="JobRun")],
            database_operations=[],
        ),
    ]
