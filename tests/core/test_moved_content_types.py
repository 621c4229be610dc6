"""Upgrading past core 0003: the moved models' content types follow them to core, so a group's
permission to view the audit log survives the move."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

pytestmark = pytest.mark.django_db

migration = importlib.import_module("core.migrations.0003_move_content_types")
editor = SimpleNamespace(connection=connection)


def _as_before_the_move(model: str, old_label: str) -> ContentType:
    content_type = ContentType.objects.get(app_label="core", model=model)
    content_type.app_label = old_label
    content_type.save()
    ContentType.objects.clear_cache()
    return content_type


def test_the_audit_log_permission_follows_the_model_to_core():
    content_type = _as_before_the_move("auditentry", "moderation")
    auditors = Group.objects.create(name="Auditors")
    auditors.permissions.add(
        Permission.objects.get(content_type=content_type, codename="view_auditentry")
    )
    _as_before_the_move("jobrun", "votes")

    migration.move(apps, editor)

    ContentType.objects.clear_cache()
    assert set(
        ContentType.objects.filter(model__in=["auditentry", "jobrun"]).values_list(
            "app_label", flat=True
        )
    ) == {"core"}
    assert list(auditors.permissions.values_list("content_type__app_label", "codename")) == [
        ("core", "view_auditentry")
    ]


def test_with_both_present_the_old_permissions_point_at_the_new_type():
    new = ContentType.objects.get(app_label="core", model="auditentry")
    old = ContentType.objects.create(app_label="moderation", model="auditentry")
    custom = Permission.objects.create(
        content_type=old, codename="export_auditentry", name="Export"
    )

    migration.move(apps, editor)

    custom.refresh_from_db()
    assert custom.content_type_id == new.pk
