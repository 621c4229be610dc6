from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
        from django.core import checks

        from accounts import lockout, sessions

        user_login_failed.connect(lockout.on_login_failed, dispatch_uid="accounts.lockout")
        user_logged_in.connect(sessions.on_logged_in, dispatch_uid="accounts.sessions.in")
        user_logged_out.connect(sessions.on_logged_out, dispatch_uid="accounts.sessions.out")
        checks.register(sessions.check_session_engine)
