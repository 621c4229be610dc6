from django.conf import settings
from django.db import migrations
from django.utils import timezone


def create_epoch(apps, schema_editor):
    RankingEpoch = apps.get_model("votes", "RankingEpoch")
    RankingEpoch.objects.get_or_create(
        pk=1, defaults={"t0": timezone.now(), "half_life_days": settings.IDEAS_HALF_LIFE_DAYS}
    )


class Migration(migrations.Migration):
    dependencies = [("votes", "0001_initial")]

    operations = [migrations.RunPython(create_epoch, migrations.RunPython.noop)]
