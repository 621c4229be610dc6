from django.apps import AppConfig


class ActionsConfig(AppConfig):
    """No models: an app so that Celery finds actions.tasks."""

    name = "actions"
    verbose_name = "Use cases"
