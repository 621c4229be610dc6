from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from comments.models import Comment
from core import ratelimit
from core.http import login_first, safe_next
from ideas.models import Idea
from moderation.services import flag_create
from web.moderation.forms import flag_control

THANKS = gettext_lazy("Thanks, a moderator will look at it.")


@require_POST
def idea_flag(request, pk: int):
    idea = get_object_or_404(Idea.objects.visible(), pk=pk)
    return _flag(request, idea, idea)


@require_POST
def comment_flag(request, pk: int):
    comment = get_object_or_404(
        Comment.objects.reachable_by(request.user).select_related("idea"), pk=pk
    )
    return _flag(request, comment, comment.idea)


def _flag(request, target: Idea | Comment, idea: Idea):
    """Flag the target. htmx gets the control back in place (the confirmation, or the form with
    its errors); a plain form post is redirected back, or shown the form again on an error."""
    back = safe_next(request, idea.get_absolute_url())
    if not request.user.is_authenticated:
        return login_first(request, back)
    context = flag_control(target, data=request.POST)
    form = context["form"]
    if form.is_valid():
        if exceeded := ratelimit.hit("flag", request.user.pk):
            return ratelimit.page_response(request, exceeded)
        try:
            flag_create(flagger=request.user, target=target, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
    context["next_url"] = back
    if form.errors:
        context["idea"] = idea
        template = "moderation/flag_control.html" if request.htmx else "moderation/flag_page.html"
        return render(request, template, context, status=400)
    if request.htmx:
        context.update(flagged=True, thanks=THANKS)
        return render(request, "moderation/flag_control.html", context)
    messages.success(request, THANKS)
    return redirect(back)
