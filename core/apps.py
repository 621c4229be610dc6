from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Plumbing every app shares; it imports no domain app."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Audit log and jobs"
