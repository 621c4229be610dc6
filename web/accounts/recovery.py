"""Getting back in by email: "Forgot your password?" (a reset link) and "Email me a sign-in
link" (a link that logs in once, within 15 minutes), both from the log-in page.

Asking for either answers the same redirect and the same page whether or not an account
uses the address; the emails leave only after that answer is written (MailAfterResponse), so
the time it takes tells nothing either. Both are rate limited per client address and per
address written to. Pages holding a token send `Referrer-Policy: strict-origin` (REFERRER);
the reset link's page moves the token to the session and redirects to a URL without it
(Django's PasswordResetConfirmView). With IDEASTORM_SSO_ONLY, members log in with single
sign-on: the pages say so, and only staff accounts get an email or may use a link."""

import logging
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import PasswordResetConfirmView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.crypto import salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.recovery import (
    LOGIN_LINK_MINUTES,
    LoginLinkExpired,
    LoginLinkProblem,
    LoginLinkUsed,
    login_link_mail_send,
    login_link_read,
    password_reset_mail_send,
    password_reset_tokens,
)
from actions.accounts import email_proved
from core import ratelimit
from core.http import safe_next
from web.accounts.recovery_forms import EmailLinkForm, NewPasswordForm

log = logging.getLogger(__name__)

BACKEND = "accounts.lockout.LockoutModelBackend"
# On pages whose address holds a token: a Referer carries the origin only, never the path.
# Not no-referrer: with it, browsers send `Origin: null` on the page's own form, and the CSRF
# check refuses the POST.
REFERRER = "strict-origin"


def _staff_only() -> bool:
    return settings.IDEASTORM_SSO_ONLY


class MailAfterResponse(HttpResponseRedirect):
    """A redirect that sends its emails once the client has it: the WSGI server (gunicorn,
    the test client too) calls close() after writing the response, so the answer takes as
    long whether or not an account uses the address. Still in this process, not Celery: the
    member is waiting for the email. The request wrote nothing, so nothing waits for a commit.
    """

    def __init__(self, url: str, send: Callable[[], object]):
        super().__init__(url)
        self._send = send

    def close(self) -> None:
        send, self._send = self._send, None
        try:
            if send is not None:
                send()
        except Exception:  # the answer is sent: a failure can only be logged
            log.exception("Could not send a recovery email.")
        finally:
            # After sending: closing fires request_finished, which closes old DB connections.
            super().close()


def recipient_key(email: str) -> str:
    """The rate limits' subject for an address written to: a keyed hash, so no address is
    kept in the cache."""
    to = salted_hmac("ideastorm.email-link-to", email.strip().lower(), algorithm="sha256")
    return to.hexdigest()[:32]


def change_limit(user, email: str) -> ratelimit.Exceeded | None:
    """Count one link asked for a new address (Settings, PATCH /api/users/me/): per member,
    then per address written to, so nobody floods a mailbox through their settings."""
    return ratelimit.hits(("email-link", user.pk), ("email-link-to", recipient_key(email)))


def _limit(request: HttpRequest, email: str) -> ratelimit.Exceeded | None:
    """Count one email asked for: per client address, then per address written to. Over the
    first, the second is not counted."""
    return ratelimit.hits(
        ("email-link-ip", ratelimit.client_address(request)),
        ("email-link-to", recipient_key(email)),
    )


def _ask_for_link(
    request: HttpRequest, *, template: str, sent_url: str, send: Callable[..., int], **extra
) -> HttpResponse:
    """The form asking for an email: validate, count, answer the same redirect whatever the
    address, and send after the answer."""
    form = EmailLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if exceeded := _limit(request, email):
            return ratelimit.page_response(request, exceeded)
        return MailAfterResponse(
            sent_url, partial(send, email=email, staff_only=_staff_only(), **extra)
        )
    context = {"form": form, "sso_only": _staff_only(), **extra}
    return render(request, template, context, status=400 if form.errors else 200)


# ---- password reset ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    return _ask_for_link(
        request,
        template="accounts/password_reset.html",
        sent_url=reverse("password-reset-sent"),
        send=password_reset_mail_send,
    )


@require_GET
def password_reset_sent(request: HttpRequest) -> HttpResponse:
    context = {"minutes": settings.PASSWORD_RESET_TIMEOUT // 60}
    return render(request, "accounts/password_reset_sent.html", context)


class PasswordResetConfirm(PasswordResetConfirmView):
    """The reset link: Django's view, which moves the token from the URL to the session and
    redirects to .../set-password/ (the token never sits in the address bar or a Referer).
    Setting the password goes through accounts.services.user_password_set (the API token is
    revoked; the session hash changes, so every other session ends), and the member is logged
    in: they just proved the mailbox and chose the password, and asking for it again would
    add typing, not safety. Their address is then verified too."""

    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    token_generator = password_reset_tokens
    post_reset_login = True
    post_reset_login_backend = BACKEND
    success_url = reverse_lazy("password-reset-done")

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        response["Referrer-Policy"] = REFERRER
        return response

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        if user is None or not user.is_active or user.deleted_at is not None:
            return None
        if _staff_only() and not user.is_staff:
            return None
        return user

    def form_valid(self, form):
        response = super().form_valid(form)
        # The mailbox is proved: verified (unless another account verified it first), and votes
        # a product manager recorded for the address become the member's.
        email_proved(user=form.user)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["minutes"] = settings.PASSWORD_RESET_TIMEOUT // 60
        return context


@require_GET
def password_reset_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_done.html")


# ---- sign-in links ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def login_link(request: HttpRequest) -> HttpResponse:
    return _ask_for_link(
        request,
        template="accounts/login_link.html",
        sent_url=reverse("login-link-sent"),
        send=login_link_mail_send,
        next_url=safe_next(request, ""),
    )


@require_GET
def login_link_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/login_link_sent.html", {"minutes": LOGIN_LINK_MINUTES})


@never_cache
@require_http_methods(["GET", "POST"])
def login_link_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Opening the link shows a "Log in as <name>" button; only pressing it (POST) logs in,
    because mail scanners open links by themselves."""
    try:
        link = login_link_read(token, staff_only=_staff_only())
    except LoginLinkProblem as problem:
        if isinstance(problem, LoginLinkExpired):
            reason = _("This sign-in link has expired: links work for %(n)d minutes.") % {
                "n": LOGIN_LINK_MINUTES
            }
        elif isinstance(problem, LoginLinkUsed):
            reason = _("This sign-in link has been used already: each link works once.")
        else:
            reason = _("This sign-in link doesn't work: it may have been copied incompletely.")
        context = {"problem": reason}
        status = 200 if request.method == "GET" else 400
        response = render(request, "accounts/login_link_problem.html", context, status=status)
    else:
        if request.method == "POST":
            login(request, link.user, backend=BACKEND)
            messages.success(
                request, _("You are logged in as %(name)s.") % {"name": link.user.username}
            )
            response = redirect(_safe(request, link.next))
        else:
            response = render(request, "accounts/login_link_confirm.html", {"person": link.user})
    response["Referrer-Policy"] = REFERRER
    return response


def _safe(request: HttpRequest, target: str) -> str:
    """Where the link said to go, if it is on this site (as core.http.safe_next checks a
    form's `next`); else the home page."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)
