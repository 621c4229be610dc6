from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Plumbing every app shares; it imports no domain app."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Audit log and jobs"

    def ready(self) -> None:
        from django.urls import register_converter

        from core.converters import IdConverter, UsernameConverter

        # Before any URLconf loads: every app's routes take ids as <id:pk>, usernames as
        # <username:username>.
        register_converter(IdConverter, "id")
        register_converter(UsernameConverter, "username")

        # In a Celery worker: count the outcome of each message a beat sent (core.beat).
        import core.beat  # noqa: F401
