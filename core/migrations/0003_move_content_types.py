"""AuditEntry and JobRun moved to core in 0001 (state only). Their content types move too, so
the permissions granted on them (say, a group allowed to view the audit log in the admin) and
any admin log entries follow the models instead of pointing at a model that no longer exists.

On a fresh database there is nothing to move: the content types are created for core after
migrating. If both exist (a partial upgrade), the old one's permissions are kept by pointing
them at the new one."""

from django.db import migrations

MOVED = [("moderation", "auditentry"), ("votes", "jobrun")]


def move(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    for old_label, model in MOVED:
        old = ContentType.objects.using(db).filter(app_label=old_label, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.using(db).filter(app_label="core", model=model).first()
        if new is None:
            old.app_label = "core"
            old.save(update_fields=["app_label"])
            continue
        existing = set(
            Permission.objects.using(db).filter(content_type=new).values_list("codename", flat=True)
        )
        for permission in Permission.objects.using(db).filter(content_type=old):
            if permission.codename in existing:
                continue
            permission.content_type = new
            permission.save(update_fields=["content_type"])


def move_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for old_label, model in MOVED:
        if ContentType.objects.using(db).filter(app_label=old_label, model=model).exists():
            continue
        ContentType.objects.using(db).filter(app_label="core", model=model).update(
            app_label=old_label
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("core", "0002_api_token_use"),
    ]

    operations = [migrations.RunPython(move, move_back)]
