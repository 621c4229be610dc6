from rest_framework.authtoken.serializers import AuthTokenSerializer

from core.text import LineSerializerField


class TokenInputSerializer(AuthTokenSerializer):
    """DRF's log-in for a token, with the username checked as a line (core.text): a control
    character in it is a 400 at the field, before anything is looked up. The password is left
    as typed: it is never shown or stored as text."""

    username = LineSerializerField(label="Username", write_only=True)
