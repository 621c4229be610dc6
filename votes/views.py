import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.http import login_first, safe_next
from ideas.models import Idea
from moderation import ratelimit
from votes.forms import RecordVoteForm
from votes.models import JobRun
from votes.network import network_of
from votes.services import vote_cast, vote_withdraw
from votes.staff import vote_record_for_customer
from votes.tasks import RECONCILE_JOB

VOTE_CHOICES = {"1": 1, "-1": -1, "0": 0}


@require_POST
def vote(request, pk: int):
    """Promote (value=1), demote (-1) or withdraw (0). htmx gets the vote widget back; a plain
    form post is redirected to where it came from."""
    # A new vote needs an idea everyone sees (votes.services.VOTABLE): a withdrawn, hidden,
    # held or merged idea is a 404 here, as to comments, flags and follows.
    idea = get_object_or_404(Idea.objects.visible(), pk=pk)
    back = safe_next(request, idea.get_absolute_url())
    if not request.user.is_authenticated:
        return login_first(request, back)
    value = VOTE_CHOICES.get(request.POST.get("value", ""))
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
    if request.htmx:
        idea = Idea.objects.with_viewer_vote(request.user).get(pk=pk)
        context = {"idea": idea, "next_url": back, "on_idea_page": _on_idea_page(request, pk)}
        return render(request, "votes/vote_response.html", context)
    return redirect(back)


def _on_idea_page(request, pk: int) -> bool:
    """Whether the htmx request comes from the idea's own page (HX-Current-URL)."""
    # The path alone: behind a proxy, the browser's scheme and host may not be Django's.
    path = urlsplit(request.htmx.current_url or "").path
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
    if not getattr(request.user, "is_product_manager", False):
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


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # any failure to reach the database is "unhealthy"
        return {"ok": False, "error": str(exc)[:200]}


def _check_broker() -> dict:
    from ideastorm.celery import app

    started = time.monotonic()
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
        return {"ok": True, "transport": str(conn.transport_cls), "ms": _ms(started)}
    except Exception as exc:  # a dead or frozen broker must not fail the health request
        return {"ok": False, "error": str(exc)[:200], "ms": _ms(started)}


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def _check_job(name: str) -> dict:
    run = JobRun.objects.filter(name=name).first()
    if run is None or run.succeeded_at is None:
        return {"ok": False, "last_success": None, "error": "has not run yet"}
    age = (timezone.now() - run.succeeded_at).total_seconds()
    fresh = age <= settings.IDEAS_RECONCILE_STALE_AFTER
    result = {
        "ok": fresh and run.ok,
        "last_success": run.succeeded_at.isoformat(),
        "age_s": round(age),
        "detail": run.detail,
    }
    if not run.ok:
        result["error"] = "the last run failed"
    elif not fresh:
        result["error"] = "no successful run recently: is Celery beat running?"
    return result


@never_cache
@require_GET
def healthz(request):
    database = _check_database()
    checks = {
        "database": database,
        "broker": _check_broker(),
        "last_ranking_run": _check_job(RECONCILE_JOB) if database["ok"] else {"ok": False},
    }
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", **checks}, status=200 if healthy else 503
    )
