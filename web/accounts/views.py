from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import LoginView, redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.selectors import api_token_of
from accounts.services import EmailTaken, token_revoke, user_password_set
from accounts.verification import LinkExpired, LinkInvalid, email_link_read
from actions.accounts import account_delete as delete_account
from actions.accounts import (
    account_settings_update,
    email_verification_send,
    member_sign_up,
)
from actions.accounts import email_confirm as email_confirm_address
from comments.models import Comment
from core import ratelimit
from core.http import safe_next
from core.pagination import page_of
from ideas.models import Idea
from web.accounts.forms import DeleteAccountForm, LoginForm, SettingsForm, SignupForm
from web.accounts.recovery import change_limit
from web.accounts.selectors import member_totals
from web.accounts.sessions import login_sessions_of

PROFILE_PAGE_SIZE = 20
PROFILE_COMMENTS = 10


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect(safe_next(request))
    if settings.IDEASTORM_SSO_ONLY:
        # Accounts come from the company's single sign-on: its first log-in makes one.
        messages.info(request, _("Log in with your organisation's account: that makes yours here."))
        next_url = safe_next(request, "")
        return redirect_to_login(next_url) if next_url else redirect("login")
    form = SignupForm(request.POST or None)
    # Every attempt counts, a refused one too: trying addresses costs the same as signing up.
    address = ratelimit.client_address(request)
    if request.method == "POST" and (exceeded := ratelimit.hit("signup-ip", address)):
        return ratelimit.page_response(request, exceeded)
    if request.method == "POST" and form.is_valid():
        try:
            user = member_sign_up(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # The welcome first: an action pressed before signing up says it is done after it.
            messages.success(
                request,
                _(
                    "Welcome, %(name)s! We sent a link to %(email)s: open it to confirm your "
                    "address."
                )
                % {"name": user.username, "email": user.email},
            )
            login(request, user, backend="accounts.lockout.LockoutModelBackend")
            return redirect(safe_next(request))
    return render(
        request,
        "accounts/signup.html",
        {"form": form, "next": safe_next(request, "")},
        status=400 if form.errors else 200,
    )


class IdeaStormLoginView(LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm

    def post(self, request, *args, **kwargs):
        # Too many failed log-ins from this address: 429 before any password is checked.
        if exceeded := ratelimit.login_refused(request):
            return ratelimit.page_response(request, exceeded)
        return super().post(request, *args, **kwargs)


@require_GET
def profile(request, username: str):
    """A member's ideas (newest first, paginated), recent comments, points and join date."""
    person = get_object_or_404(User, username=username, deleted_at__isnull=True)
    their_ideas = Idea.objects.visible().filter(author=person)
    totals = member_totals(person)
    page = page_of(
        their_ideas.for_list().with_viewer_vote(request.user).ranked("new"),
        request.GET.get("page"),
        PROFILE_PAGE_SIZE,
    )
    comments = (
        Comment.objects.filter(
            author=person, deleted_at__isnull=True, idea__in=Idea.objects.visible()
        )
        .viewable_by(request.user)
        .select_related("idea")
        .order_by("-created_at", "-id")[:PROFILE_COMMENTS]
    )
    context = {"person": person, "totals": totals, "page": page, "comments": comments}
    return render(request, "accounts/profile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def account_settings(request):
    form = SettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        changing = email.lower() != User.objects.get(pk=request.user.pk).email.lower()
        if changing and (exceeded := change_limit(request.user, email)):
            return ratelimit.page_response(request, exceeded)
        if account_settings_update(user=request.user, **form.cleaned_data):
            messages.success(
                request,
                _(
                    "Your settings are saved. We sent a link to %(email)s: your address "
                    "changes when you open it."
                )
                % {"email": email}
                if request.user.email.lower() != email.lower()
                else _("Your settings are saved. We sent a link to %(email)s to confirm it.")
                % {"email": email},
            )
        else:
            messages.success(request, _("Your settings are saved."))
        return redirect("account-settings")
    context = {
        "form": form,
        "api_token": api_token_of(request.user),
        "login_sessions": login_sessions_of(request),
    }
    return render(request, "accounts/settings.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def email_verification_resend(request):
    """ "Send the link again", from the settings page (rate limited per member)."""
    if request.user.email_verified:
        messages.info(request, _("Your email address is already confirmed."))
        return redirect("account-settings")
    if exceeded := ratelimit.hit("email-link", request.user.pk):
        return ratelimit.page_response(request, exceeded)
    email_verification_send(user=request.user)
    messages.success(
        request,
        _("We sent a new link to %(email)s. It works for 3 days.") % {"email": request.user.email},
    )
    return redirect("account-settings")


@require_http_methods(["GET", "POST"])
def email_confirm(request, token: str):
    """A link from an email: GET shows what it will do and a button (mail scanners open
    links, and must not confirm anything), POST does it. An expired, altered or used link
    says so and offers a new one."""
    try:
        link = email_link_read(token)
    except LinkExpired:
        return _link_problem(request, _("This link has expired."))
    except LinkInvalid:
        return _link_problem(request, _("This link is not valid: it may have been cut short."))
    if link.spent:
        return _link_problem(request, _("This link was already used."), used=True)
    if request.method == "POST":
        try:
            email_confirm_address(link=link)
        except EmailTaken as error:
            return _link_problem(request, error.messages[0], taken=True)
        messages.success(
            request, _("Your email address %(email)s is confirmed.") % {"email": link.email}
        )
        # Back to their settings if it is their session; anyone else (a link opened on another
        # device, or while logged in as someone else) to the board.
        return redirect("account-settings" if request.user.pk == link.user.pk else "home")
    return render(request, "accounts/email_confirm.html", {"link": link})


def _link_problem(request, problem: str, *, used: bool = False, taken: bool = False):
    context = {"problem": problem, "used": used, "taken": taken}
    return render(request, "accounts/email_link_problem.html", context, status=400)


@login_required
@require_POST
def api_token_revoke(request):
    """The settings page's "Revoke API token": scripts using it are logged out of the API."""
    if token_revoke(user=request.user):
        messages.success(request, _("Your API token is revoked."))
    return redirect("account-settings")


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_password_set(user=request.user, password=form.cleaned_data["new_password1"])
        # Changing the password ends every session but this one.
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password is changed."))
        return redirect("account-settings")
    return render(
        request, "accounts/password_change.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        delete_account(user=request.user)
        logout(request)
        messages.success(
            request, _("Your account is deleted. Your ideas and comments stay, by “deleted user”.")
        )
        return redirect("home")
    return render(
        request, "accounts/account_delete.html", {"form": form}, status=400 if form.errors else 200
    )
