from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.services import token_revoke, user_settings_update
from ideas.api import errors, service_errors


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenApi(ObtainAuthToken):
    """Log the API in (POST: a token for a username and password) or out (DELETE)."""

    def get_permissions(self):
        if self.request is not None and self.request.method == "DELETE":
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(
        request=AuthTokenSerializer,
        responses={200: TokenOutputSerializer, **errors(400)},
        description="Your API token, for a username and password: send it as "
        "`Authorization: Token <token>`.",
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description="The token is revoked."), **errors(401, 403)},
        description="Revoke your API token (a banned member may too: it is logging out).",
    )
    def delete(self, request):
        token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeSettingsSerializer(serializers.Serializer):
    auto_follow = serializers.BooleanField()
    email_frequency = serializers.ChoiceField(choices=User.EmailFrequency.choices)


class MeOutputSerializer(serializers.Serializer):
    username = serializers.CharField()
    email = serializers.EmailField()
    roles = serializers.SerializerMethodField()
    settings = MeSettingsSerializer(source="*")

    def get_roles(self, user: User) -> list[str]:
        """ "pm" (product manager) and "moderator", as the user holds them."""
        held = (("pm", user.is_product_manager), ("moderator", user.is_moderator))
        return [role for role, has in held if has]


class MeInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254, required=False)
    auto_follow = serializers.BooleanField(required=False)
    email_frequency = serializers.ChoiceField(choices=User.EmailFrequency.choices, required=False)

    def validate_email(self, email: str) -> str:
        email = email.strip()
        user = self.context["user"]
        if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            raise serializers.ValidationError("An account with this email already exists.")
        return email


class MeApi(APIView):
    """Your account: who you are, your roles and your notification settings. A banned member
    may still change them (moderation.middleware.ALLOWED_WHEN_BANNED)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={200: MeOutputSerializer, **errors(401, 403)},
        description="Your username, email, roles and notification settings.",
    )
    def get(self, request):
        return Response(MeOutputSerializer(request.user).data)

    @extend_schema(
        request=MeInputSerializer,
        responses={200: MeOutputSerializer, **errors(400, 401, 403)},
        description="Change your email, auto_follow or email_frequency (any of them).",
    )
    def patch(self, request):
        user = request.user
        data = MeInputSerializer(data=request.data, context={"user": user})
        data.is_valid(raise_exception=True)
        current = {
            "email": user.email,
            "auto_follow": user.auto_follow,
            "email_frequency": user.email_frequency,
        }
        with service_errors():
            user = user_settings_update(user=user, **{**current, **data.validated_data})
        return Response(MeOutputSerializer(user).data)
