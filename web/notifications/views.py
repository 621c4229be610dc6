from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.http import login_first
from core.pagination import page_of
from ideas.models import Idea
from notifications.models import Notification
from notifications.services import follow_set, notifications_mark_read

PAGE_SIZE = 20
FOLLOW_CHOICES = {"1": True, "0": False}


@require_POST
def follow(request, pk: int):
    """Follow (following=1) or unfollow (0) an idea. htmx gets the button back; a plain form
    post is redirected to the idea page."""
    idea = get_object_or_404(Idea.objects.visible(), pk=pk)
    back = idea.get_absolute_url()
    if not request.user.is_authenticated:
        return login_first(request, back)
    following = FOLLOW_CHOICES.get(request.POST.get("following", ""))
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
