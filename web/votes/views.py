from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import pending, ratelimit
from core.http import at_the_top, htmx_current_url, login_first, safe_next
from core.network import network_of
from core.roles import is_product_manager
from ideas.models import Idea
from votes.services import vote_cast, vote_withdraw
from votes.staff import vote_record_for_customer
from web.votes.forms import RecordVoteForm

VOTE_CHOICES = {"1": 1, "-1": -1, "0": 0}


@require_POST
def vote(request, pk: int):
    """Promote (value=1), demote (-1) or withdraw (0). htmx gets the vote widget back; a plain
    form post is redirected to where it came from."""
    # A new vote needs an idea everyone sees (votes.services.VOTABLE): a withdrawn, hidden,
    # held or merged idea is a 404 here, as to comments, flags and follows.
    idea = get_object_or_404(Idea.objects.visible(), pk=pk)
    back = safe_next(request, idea.get_absolute_url())
    value = VOTE_CHOICES.get(request.POST.get("value", ""))
    if not request.user.is_authenticated:
        if value:  # cast when they log in (web.pending)
            pending.remember_vote(request, idea_id=idea.pk, value=value)
        return login_first(request, back)
    if value is None:
        return HttpResponseBadRequest(_("A vote is 1 (promote), -1 (demote) or 0 (withdraw)."))
    if exceeded := ratelimit.vote_hit(request):
        return ratelimit.page_response(request, exceeded)
    try:
        if value:
            vote_cast(voter=request.user, idea=idea, value=value, network=network_of(request))
        else:
            vote_withdraw(voter=request.user, idea=idea)
    except Idea.DoesNotExist:
        raise Http404(_("No such idea.")) from None
    except ValidationError as refusal:  # demoting is switched off
        return refused(request, " ".join(refusal.messages), back)
    if request.htmx:
        idea = Idea.objects.with_viewer_vote(request.user).get(pk=pk)
        context = {"idea": idea, "next_url": back, "on_idea_page": _on_idea_page(request, pk)}
        return render(request, "votes/vote_response.html", context)
    return redirect(back)


def refused(request, message: str, back: str):
    """A vote the board doesn't take: to htmx, the message in the page's alert slot; to a
    plain form, the message on the page it came from."""
    if request.htmx:
        return at_the_top(
            render(request, "includes/page_alert.html", {"message": message}, status=400)
        )
    messages.error(request, message)
    return redirect(back)


def _on_idea_page(request, pk: int) -> bool:
    """Whether the htmx request comes from the idea's own page (HX-Current-URL)."""
    # The path alone: behind a proxy, the browser's scheme and host may not be Django's.
    path = htmx_current_url(request).path
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.url_name in ("idea-detail", "idea-detail-slug") and match.kwargs["pk"] == pk


@require_POST
def idea_record_vote(request, pk: int):
    """A product manager records a customer's vote from a call or an email; errors come back
    at the fields on a page of their own."""
    idea = get_object_or_404(Idea.objects.visible(), pk=pk)
    if not request.user.is_authenticated:
        return login_first(request, idea.get_absolute_url())
    if not is_product_manager(request.user):
        raise PermissionDenied(_("Only product managers record customers' votes."))
    form = RecordVoteForm(request.POST)
    if form.is_valid():
        try:
            recorded = vote_record_for_customer(staff=request.user, idea=idea, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, recorded.message)
            return redirect(idea)
    return render(request, "votes/record_vote_page.html", {"idea": idea, "form": form}, status=400)
