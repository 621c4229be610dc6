"""Single sign-on pages beside the providers' own: unlinking an identity, and GitHub's log-in
and callback (allauth's views, a 404 while GitHub is not configured)."""

from allauth.socialaccount.models import SocialAccount, SocialApp
from allauth.socialaccount.providers.github import views as github
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from web.accounts.sso.identities import identity_unlink


@login_required
@require_POST
def identity_disconnect(request: HttpRequest, pk: int) -> HttpResponse:
    """Settings' "Disconnect": refused, with the reason, when it is the member's last way in."""
    try:
        refusal = identity_unlink(request=request, user=request.user, pk=pk)
    except SocialAccount.DoesNotExist:
        raise Http404 from None
    if refusal:
        messages.error(request, _("Not disconnected. %(why)s") % {"why": refusal})
    else:
        messages.success(request, _("Disconnected: you no longer log in with it."))
    return redirect("account-settings")


def _configured(view):
    def wrapped(request: HttpRequest) -> HttpResponse:
        try:
            return view(request)
        except SocialApp.DoesNotExist:
            raise Http404 from None

    return wrapped


github_login = _configured(github.oauth2_login)
github_callback = _configured(github.oauth2_callback)
