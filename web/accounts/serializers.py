from rest_framework.authtoken.serializers import AuthTokenSerializer

from accounts.selectors import username_for_login
from core.text import LineSerializerField


class TokenInputSerializer(AuthTokenSerializer):
    """DRF's log-in for a token, with the username checked as a line (core.text): a control
    character in it is a 400 at the field, before anything is looked up. The password is left
    as typed: it is never shown or stored as text."""

    username = LineSerializerField(
        label="Username", write_only=True, help_text="Your username, or your verified email."
    )

    def validate_username(self, value: str) -> str:
        return username_for_login(value)
