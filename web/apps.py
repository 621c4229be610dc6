from django.apps import AppConfig


class WebConfig(AppConfig):
    """The pages and the API: one package per app under web/, each with its own URLconf.
    Nothing below imports web."""

    name = "web"
    verbose_name = "Pages and API"
