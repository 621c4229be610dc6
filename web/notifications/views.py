from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from core import pending
from core.http import login_first
from core.pagination import page_of
from ideas.models import Idea
from notifications.models import Notification
from notifications.services import email_frequency_set, follow_set, notifications_mark_read
from notifications.unsubscribe import email_token_user
from web.notifications.forms import EmailFrequencyForm

PAGE_SIZE = 20
FOLLOW_CHOICES = {"1": True, "0": False}
SAVED = {
    User.EmailFrequency.EACH: _lazy(
        "Saved. You will get an email for each update on the ideas you follow."
    ),
    User.EmailFrequency.DAILY: _lazy(
        "Saved. You will get one email a day with the updates on the ideas you follow."
    ),
    User.EmailFrequency.NEVER: _lazy(
        "Saved. You will get no more emails about the ideas you follow; "
        "their updates still show under Notifications when you log in."
    ),
}


@require_POST
def follow(request, pk: int):
    """Follow (following=1) or unfollow (0) an idea. htmx gets the button back; a plain form
    post is redirected to the idea page."""
    idea = get_object_or_404(Idea.objects.visible(), pk=pk)
    back = idea.get_absolute_url()
    following = FOLLOW_CHOICES.get(request.POST.get("following", ""))
    if not request.user.is_authenticated:
        if following:  # followed when they log in (web.pending)
            pending.remember_follow(request, idea_id=idea.pk)
        return login_first(request, back)
    if following is None:
        return HttpResponseBadRequest("following is 1 (follow) or 0 (unfollow).")
    follow_set(user=request.user, idea=idea, following=following)
    if request.htmx:
        return render(
            request,
            "notifications/follow_button.html",
            {"idea": idea, "following": following, "announce": True},
        )
    if following:
        messages.success(request, _("You follow this idea: you will hear when it changes."))
    else:
        messages.success(request, _("You no longer follow this idea."))
    return redirect(back)


@login_required
@require_GET
def notification_list(request):
    notifications = request.user.notifications.select_related("idea", "actor").order_by(
        "-created_at", "-id"
    )
    page = page_of(notifications, request.GET.get("page"), PAGE_SIZE)
    return render(request, "notifications/notification_list.html", {"page": page})


@login_required
@require_POST
def notifications_read(request):
    """Mark all as read."""
    count = notifications_mark_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications")


@login_required
@require_http_methods(["GET", "POST"])
def notification_open(request, pk: int):
    """Mark one notification read and go to what it is about."""
    notification = get_object_or_404(
        Notification.objects.select_related("idea"), pk=pk, recipient=request.user
    )
    notifications_mark_read(user=request.user, ids=[notification.pk])
    target = notification.idea.get_absolute_url()
    if notification.comment_id:
        target += f"#comment-{notification.comment_id}"
    return redirect(target)


# The signed token in the URL is the credential, not a session: RFC 8058's one-click POST
# comes from the mail provider with no cookie, so there is no CSRF token to check.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def email_unsubscribe(request, token: str):
    """The page an email's footer links to: the member chooses how often they are emailed,
    without logging in. A POST of `List-Unsubscribe=One-Click` (RFC 8058, sent by the mail
    provider) turns email off and answers at once; it is safe to repeat."""
    member = email_token_user(token)
    one_click = request.method == "POST" and request.POST.get("List-Unsubscribe") == "One-Click"
    if member is None:
        if one_click:
            return HttpResponseBadRequest(
                "This unsubscribe link is invalid.", content_type="text/plain"
            )
        response = render(request, "notifications/email_preferences.html", {}, status=400)
    elif one_click:
        email_frequency_set(user=member, frequency=User.EmailFrequency.NEVER)
        return HttpResponse("Unsubscribed.", content_type="text/plain")
    else:
        form = EmailFrequencyForm(
            request.POST if request.method == "POST" else None,
            initial={"email_frequency": member.email_frequency},
        )
        if form.is_valid():
            frequency = form.cleaned_data["email_frequency"]
            email_frequency_set(user=member, frequency=frequency)
            messages.success(request, SAVED[frequency])
            response = redirect(request.path)
        else:
            context = {"member": member, "form": form}
            status = 400 if form.errors else 200
            response = render(
                request, "notifications/email_preferences.html", context, status=status
            )
    # The token is in this page's address: links from it must not carry it in Referer.
    response["Referrer-Policy"] = "no-referrer"
    return response
