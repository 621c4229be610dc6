from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from accounts import lockout

        user_login_failed.connect(lockout.on_login_failed, dispatch_uid="accounts.lockout")
