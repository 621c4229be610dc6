"""Settings' "Where you're logged in": the member's sessions, ending one, ending all but this
one (accounts.sessions); and the same list and ending one through the API."""

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import LoginSession, sha256_hex
from accounts.sessions import login_session_end, login_sessions_end_others
from core.api_errors import errors


def _is_current(request, login_session: LoginSession) -> bool:
    key = request.session.session_key
    return bool(key) and login_session.key_hash == sha256_hex(key)


def login_sessions_of(request) -> list[LoginSession]:
    """The member's sessions, this one first, then the most recently active; each with
    `is_current`."""
    found = list(LoginSession.objects.of(request.user).order_by("-last_seen_at", "-pk"))
    for login_session in found:
        login_session.is_current = _is_current(request, login_session)
    return sorted(found, key=lambda login_session: not login_session.is_current)


def _own_session(request, pk: int) -> LoginSession:
    """One of the member's sessions: another's, or none, is a 404."""
    return get_object_or_404(LoginSession, pk=pk, user=request.user)


@login_required
@require_POST
def session_end(request, pk: int):
    """ "Log out" on one of the member's other sessions: that browser's next request is
    anonymous. Ending this one is logging out."""
    login_session = _own_session(request, pk)
    if _is_current(request, login_session):
        logout(request)
        messages.success(request, _("You are logged out."))
        return redirect("home")
    login_session_end(login_session=login_session)
    messages.success(request, _("That session is logged out."))
    return redirect("account-settings")


@login_required
@require_POST
def sessions_end_others(request):
    """ "Log out everywhere": every other session ends and the API token is revoked; this one
    stays logged in."""
    login_sessions_end_others(user=request.user, keep_session_key=request.session.session_key)
    update_session_auth_hash(request, request.user)
    messages.success(
        request, _("You are logged out everywhere else, and your API token is revoked.")
    )
    return redirect("account-settings")


class LoginSessionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    device = serializers.CharField(
        help_text='The browser and system, as "Firefox 128 on Windows" (empty if it sent none).'
    )
    network = serializers.CharField(
        help_text="The network it was last used from (an IPv4 /24 or IPv6 /48), never the "
        "address; empty if unknown."
    )
    created_at = serializers.DateTimeField(help_text="When it logged in.")
    last_seen_at = serializers.DateTimeField(help_text="Its last request, to 5 minutes.")
    current = serializers.BooleanField(
        source="is_current", help_text="The session making this request."
    )


class LoginSessionListApi(APIView):
    """Your browser sessions. Open to a banned member (web.middleware.ALLOWED_WHEN_BANNED)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={200: LoginSessionOutputSerializer(many=True), **errors(401, 403)},
        description=(
            "The browser sessions logged in to your account and not yet ended or expired, the "
            "current one first. A request with a token is not a session: none is current."
        ),
    )
    def get(self, request):
        found = login_sessions_of(request)
        return Response(LoginSessionOutputSerializer(found, many=True).data)


class LoginSessionDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="The session is logged out."),
            **errors(401, 403, 404),
        },
        description=(
            "Log one of your browser sessions out: its next request is anonymous. Ending the "
            "session making this request logs it out. Another member's session is a 404."
        ),
    )
    def delete(self, request, pk: int):
        login_session = _own_session(request, pk)
        if _is_current(request, login_session):
            logout(request)
        else:
            login_session_end(login_session=login_session)
        return Response(status=status.HTTP_204_NO_CONTENT)
