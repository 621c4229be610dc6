from django.apps import AppConfig


class BoardConfig(AppConfig):
    name = "board"
    verbose_name = "Board settings"

    def ready(self):
        # Emails carry the board's name as its admins set it: core can't import this app, so
        # it is handed the reader here (models load only once the app registry is ready).
        from board.selectors import board_settings

        # The same: core.mail, imported here, keeps the reader.
        from core import mail

        mail.site_name_provider = lambda: board_settings().name
