from django.apps import AppConfig


class StormsConfig(AppConfig):
    name = "storms"
    verbose_name = "Storm Sessions"
