from django.contrib.auth import logout, password_validation, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.services import token_for, token_revoke, user_password_set
from actions.accounts import account_delete, account_settings_update
from core import ratelimit
from core.api_errors import errors, service_errors
from core.parsers import JSONParser
from core.roles import is_moderator, is_product_manager
from web.accounts.forms import WRONG_PASSWORD
from web.accounts.recovery import change_limit
from web.accounts.selectors import member_totals
from web.accounts.serializers import TokenInputSerializer

# Far beyond any real password; keeps a megabyte of "password" away from the hasher.
PASSWORD_MAX_LENGTH = 4096
# The page's own words (django.contrib.auth's password change form).
OLD_PASSWORD_WRONG = PasswordChangeForm.error_messages["password_incorrect"]


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenApi(ObtainAuthToken):
    """Log the API in (POST: a token for a username and password) or out (DELETE)."""

    # ObtainAuthToken sets its own parsers and serializer: the site's JSON parser and rules.
    parser_classes = (JSONParser,)
    serializer_class = TokenInputSerializer

    def get_authenticators(self):
        # Logging in reads no credentials (so a stale session cookie without its CSRF token
        # doesn't get in the way), and the schema shows POST with no security requirement.
        if self.request is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    def get_permissions(self):
        if self.request is not None and self.request.method == "DELETE":
            return [permissions.IsAuthenticated()]
        return [permissions.AllowAny()]

    @extend_schema(
        request=TokenInputSerializer,
        responses={200: TokenOutputSerializer, **errors(400, 429)},
        # No security requirement at all (not the optional `[{}]` of anonymous reads), which
        # openapi-python-client reads as "a plain Client may call this".
        auth=[],
        examples=[
            OpenApiExample(
                "Log in",
                value={"username": "alice", "password": "correct-horse-battery"},
                request_only=True,
            ),
            OpenApiExample(
                "A token",
                value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"},
                response_only=True,
                status_codes=["200"],
            ),
        ],
        description="Your API token, for a username and password: send it as "
        "`Authorization: Token <token>`. It lasts IDEASTORM_API_TOKEN_DAYS days from when it "
        "was issued (90 unless the site says otherwise); after that this gives a new one. "
        "Changing your password revokes it. Too many failed log-ins from one address: 429.",
    )
    def post(self, request, *args, **kwargs):
        ratelimit.check_api(ratelimit.login_refused(request))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = token_for(user=serializer.validated_data["user"])
        return Response({"token": token.key})

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
    email_verified = serializers.BooleanField(
        help_text="Whether the address is confirmed (the link sent to it was opened)."
    )
    roles = serializers.SerializerMethodField()
    settings = MeSettingsSerializer(source="*")

    def get_roles(self, user: User) -> list[str]:
        """ "pm" (product manager) and "moderator", as the user holds them."""
        held = (("pm", is_product_manager(user)), ("moderator", is_moderator(user)))
        return [role for role, has in held if has]


class MeInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254, required=False)
    auto_follow = serializers.BooleanField(required=False)
    email_frequency = serializers.ChoiceField(choices=User.EmailFrequency.choices, required=False)

    def validate_email(self, email: str) -> str:
        # Whether another account has it is not said (see actions.accounts.email_change_request).
        return email.strip()


class MeApi(APIView):
    """Your account: who you are, your roles and your notification settings. A banned member
    may still change them (web.middleware.ALLOWED_WHEN_BANNED)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={200: MeOutputSerializer, **errors(401, 403)},
        description="Your username, email, roles and notification settings.",
    )
    def get(self, request):
        return Response(MeOutputSerializer(request.user).data)

    @extend_schema(
        request=MeInputSerializer,
        responses={200: MeOutputSerializer, **errors(400, 401, 403, 429)},
        description="Change your email, auto_follow or email_frequency (any of them). A new "
        "email takes effect when you open the link sent to it (until then `email` is the old "
        "one); an unconfirmed email is replaced at once and the link goes to the new one.",
    )
    def patch(self, request):
        user = request.user
        # Partial: a form-encoded body that leaves out auto_follow must not turn it off.
        data = MeInputSerializer(data=request.data, context={"user": user}, partial=True)
        data.is_valid(raise_exception=True)
        current = {
            "email": user.email,
            "auto_follow": user.auto_follow,
            "email_frequency": user.email_frequency,
        }
        new_email = data.validated_data.get("email", user.email)
        if new_email.lower() != user.email.lower():
            ratelimit.check_api(change_limit(user, new_email))
        with service_errors():
            account_settings_update(user=user, **{**current, **data.validated_data})
        return Response(MeOutputSerializer(user).data)


class PasswordChangeInputSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False)
    new_password = serializers.CharField(
        max_length=PASSWORD_MAX_LENGTH,
        trim_whitespace=False,
        help_text="Checked by the site's password rules (length, common, numeric, like the name).",
    )

    def validate_old_password(self, password: str) -> str:
        if not self.context["user"].check_password(password):
            raise serializers.ValidationError(OLD_PASSWORD_WRONG)
        return password

    def validate_new_password(self, password: str) -> str:
        password_validation.validate_password(password, self.context["user"])
        return password


class PasswordChangeApi(APIView):
    """Change your password, as the page /accounts/settings/password/ does. Open to a banned
    member (web.middleware.ALLOWED_WHEN_BANNED)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=PasswordChangeInputSerializer,
        responses={
            204: OpenApiResponse(description="The password is changed."),
            **errors(400, 401, 403),
        },
        description=(
            "Change your password: your current one, and the new one, which must pass the "
            "site's password rules. Every other browser session ends; a session that asks "
            "stays logged in. Your API token is revoked, as with the page (this request's "
            "too): POST /api/auth/token/ with the new password for a new one."
        ),
    )
    def post(self, request):
        user = request.user
        data = PasswordChangeInputSerializer(data=request.data, context={"user": user})
        data.is_valid(raise_exception=True)
        user_password_set(user=user, password=data.validated_data["new_password"])
        # Only a session has a hash to renew: for a token it would start a session for nobody.
        if isinstance(request.successful_authenticator, SessionAuthentication):
            update_session_auth_hash(request, user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AccountDeleteInputSerializer(serializers.Serializer):
    password = serializers.CharField(
        max_length=PASSWORD_MAX_LENGTH,
        trim_whitespace=False,
        help_text="Your password, to confirm.",
    )

    def validate_password(self, password: str) -> str:
        if not self.context["user"].check_password(password):
            raise serializers.ValidationError(WRONG_PASSWORD)
        return password


class AccountDeleteApi(APIView):
    """Delete your account, as the page /accounts/settings/delete/ does. A POST with your
    password rather than a DELETE on users/me/: a DELETE's body is ignored by many clients.
    Open to a banned member (web.middleware.ALLOWED_WHEN_BANNED)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=AccountDeleteInputSerializer,
        responses={
            204: OpenApiResponse(description="The account is deleted and logged out."),
            **errors(400, 401, 403),
        },
        description=(
            "Delete your account, confirmed by your password. Your name, email, password, "
            "roles, follows, notifications and API token go; your ideas, comments and votes "
            'stay, shown as by "deleted user". This cannot be undone.'
        ),
    )
    def post(self, request):
        data = AccountDeleteInputSerializer(data=request.data, context={"user": request.user})
        data.is_valid(raise_exception=True)
        account_delete(user=request.user)
        logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserProfileOutputSerializer(serializers.Serializer):
    username = serializers.CharField(source="person.username")
    joined = serializers.DateTimeField(source="person.date_joined")
    ideas = serializers.IntegerField(help_text="Their ideas on the board.")
    points = serializers.IntegerField(
        help_text="The net score (promotes minus demotes) of their ideas on the board."
    )
    url = serializers.SerializerMethodField(help_text="Their profile page.")

    def get_url(self, profile: dict) -> str:
        path = reverse("profile", kwargs={"username": profile["person"].username})
        return self.context["request"].build_absolute_uri(path)


class UserDetailApi(APIView):
    @extend_schema(
        responses={200: UserProfileOutputSerializer, **errors(404)},
        description=(
            "A member's public profile, as their page shows it: name, join date, ideas and "
            "points (never the email). A deleted or unknown member is a 404. The name `me` is "
            "your own account: GET /api/users/me/."
        ),
    )
    def get(self, request, username: str):
        # A name no account can have (a NUL byte, a space) is a 404 before the database sees it.
        try:
            User.username_validator(username)
        except DjangoValidationError:
            raise Http404 from None
        person = get_object_or_404(User, username=username, deleted_at__isnull=True)
        profile = {"person": person, **member_totals(person)}
        return Response(UserProfileOutputSerializer(profile, context={"request": request}).data)
