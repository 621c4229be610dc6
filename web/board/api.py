"""The board's public settings, for clients that brand themselves like the board."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from board.selectors import board_settings


class BoardFeaturesSerializer(serializers.Serializer):
    storms = serializers.BooleanField(help_text="Storm Sessions are on.")
    downvotes = serializers.BooleanField(help_text="Members may demote ideas.")
    anonymous_reading = serializers.BooleanField(help_text="Visitors may read without logging in.")


class BoardOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    tagline = serializers.CharField()
    welcome_html = serializers.CharField()
    meta_description = serializers.CharField()
    logo_url = serializers.CharField(allow_null=True)
    accent = serializers.CharField(help_text="#rrggbb")
    sorts = serializers.ListField(child=serializers.CharField())
    default_sort = serializers.CharField()
    features = BoardFeaturesSerializer()


class BoardApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: BoardOutputSerializer},
        description="The board's name, look and switched-on features, as its admins set them.",
    )
    def get(self, request):
        board = board_settings()
        # A members-only board shows visitors its name and look, not its welcome text.
        public = board.anonymous_reading or request.user.is_authenticated
        data = {
            "name": board.name,
            "tagline": board.tagline,
            "welcome_html": board.welcome_html if public else "",
            "meta_description": board.meta_description if public else "",
            "logo_url": request.build_absolute_uri(board.logo_url) if board.logo_url else None,
            "accent": board.accent,
            "sorts": list(board.sorts),
            "default_sort": board.default_sort,
            "features": {
                "storms": board.storms_enabled,
                "downvotes": board.downvotes_enabled,
                "anonymous_reading": board.anonymous_reading,
            },
        }
        return Response(BoardOutputSerializer(data).data)
