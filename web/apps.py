from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


class WebConfig(AppConfig):
    """The pages and the API: one package per app under web/, each with its own URLconf.
    Nothing below imports web."""

    name = "web"
    verbose_name = "Pages and API"

    def ready(self) -> None:
        # Imported here: it reads models, which are not loaded when this module is.
        from web.pending import act_on_pending

        user_logged_in.connect(act_on_pending, dispatch_uid="web.pending.act_on_pending")
