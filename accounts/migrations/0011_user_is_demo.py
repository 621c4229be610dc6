from django.contrib.auth.hashers import check_password
from django.db import migrations, models
from django.db.models import Count

# demo/data/cast.json's password when this migration was written.
DEMO_PASSWORD = "ideastorm-demo"


def mark_demo_accounts(apps, schema_editor):
    """Boards seeded before the marker existed: seed_demo gave all its accounts one password
    hash, so a hash that several accounts share and that is the demo password marks them. A
    member's own password has its own salt, so it is never shared."""
    User = apps.get_model("accounts", "User")
    shared = (
        User.objects.values("password")
        .annotate(accounts=Count("id"))
        .filter(accounts__gt=1)
        .values_list("password", flat=True)
    )
    for encoded in list(shared):
        if check_password(DEMO_PASSWORD, encoded):
            User.objects.filter(password=encoded).update(is_demo=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_login_sessions"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="is_demo",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(mark_demo_accounts, migrations.RunPython.noop, elidable=True),
    ]
