"""The moderators' pages: the queue, the actions on ideas and comments (from the queue and
from the idea page), vote-stuffing decisions, bans, and the audit log.

Every action is a form POST answered by a redirect with a message, so all of it works without
JavaScript; the queue's per-item forms also post with htmx and get the item back in place."""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from actions.moderation import ACTIONS, case_review, moderation_bulk
from comments.models import Comment
from core.http import htmx_current_url, safe_next
from core.models import AuditEntry
from core.roles import moderator_required
from ideas.models import Idea
from moderation.bans import ban_create, ban_lift
from moderation.models import StuffingCase
from moderation.queue import SORTS, TABS, queue_items, queue_page, tab_counts
from web.moderation import audit_text
from web.moderation.forms import (
    BAN_DAYS_CHOICES,
    AuditFilterForm,
    BanForm,
    BulkActionForm,
    CaseDecisionForm,
    LiftBanForm,
    ModerationActionForm,
)

AUDIT_PAGE_SIZE = 50
TAB_LABELS = {
    "flagged": gettext_lazy("Flagged"),
    "held": gettext_lazy("Waiting for review"),
    "hidden": gettext_lazy("Hidden"),
    "stuffing": gettext_lazy("Vote stuffing"),
}
DONE = {
    "hide": gettext_lazy("Hidden."),
    "restore": gettext_lazy("Restored."),
    "dismiss": gettext_lazy("Flags dismissed."),
}
MODELS = {"idea": Idea, "comment": Comment}


def _text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _queue_params(query) -> dict:
    """The queue's tab and sort from a query (request.GET, or the page's own address)."""
    tab = query.get("tab", "")
    sort = query.get("sort", "")
    return {
        "tab": tab if tab in TABS else TABS[0],
        "sort": sort if sort in SORTS else SORTS[0],
    }


@require_GET
@moderator_required
def moderation_queue(request):
    params = _queue_params(request.GET)
    page, items = queue_page(params["tab"], params["sort"], request.GET.get("page"))
    shown = {} if params["tab"] == "stuffing" else {params["tab"]: page.paginator.count}
    counts = tab_counts(known=shown)
    context = {
        **params,
        "page": page,
        "items": items,
        "tabs": _tabs(counts),
        "ban_days_choices": BAN_DAYS_CHOICES,
        "sorts": [("newest", _("Newest first")), ("flags", _("Most flagged first"))],
        "here": request.get_full_path(),
        "bulk_form": BulkActionForm(),
        "case_form": CaseDecisionForm(),
    }
    return render(request, "moderation/queue.html", context)


def _item_response(request, target, *, kind: str, status: int = 200, **extra):
    """The queue item again, in its new state, for htmx to swap in place, and the tabs' counts
    (out of band), which the action may have changed."""
    item = queue_items([(kind, target.pk, timezone.now(), 0)])[0]
    context = {"item": item, "here": safe_next(request, reverse("moderation-queue")), **extra}
    # The tabs keep the page's own tab and sort (its address is in HX-Current-URL).
    shown = QueryDict(htmx_current_url(request).query)
    tabs = {**_queue_params(shown), "tabs": _tabs(tab_counts()), "tabs_oob": True}
    html = render_to_string("moderation/queue.html#item", context, request)
    html += render_to_string("moderation/queue.html#tabs", tabs, request)
    return HttpResponse(html, status=status)


def _tabs(counts: dict[str, int]) -> list[tuple]:
    return [(value, TAB_LABELS[value], count) for value, count in counts.items()]


@require_POST
@moderator_required
def content_act(request, kind: str, pk: int, action: str):
    """Hide, restore or dismiss the flags of one idea or comment."""
    if action not in ACTIONS:
        raise Http404
    target = get_object_or_404(MODELS[kind], pk=pk)
    idea = target if kind == "idea" else target.idea
    anchor = "" if kind == "idea" else f"#comment-{target.pk}"
    back = safe_next(request, f"{idea.get_absolute_url()}{anchor}")
    form = ModerationActionForm(request.POST)
    error = None
    if form.is_valid():
        try:
            ACTIONS[action](moderator=request.user, target=target, **form.cleaned_data)
        except ValidationError as exc:
            error = _text(exc)
    else:
        error = " ".join(m for errors in form.errors.values() for m in errors)
    if request.htmx:
        if error:
            return _item_response(request, target, kind=kind, status=400, error=error)
        return _item_response(request, target, kind=kind, done=DONE[action])
    if error:
        messages.error(request, error)
    else:
        messages.success(request, DONE[action])
    return redirect(back)


def _load_targets(pairs: list[tuple[str, int]]) -> list:
    by_kind = {
        kind: MODELS[kind].objects.in_bulk([pk for k, pk in pairs if k == kind]) for kind in MODELS
    }
    return [by_kind[kind][pk] for kind, pk in pairs if pk in by_kind[kind]]


def _label(target) -> str:
    if isinstance(target, Idea):
        return f"“{target.title}”"
    return _("comment %(id)d") % {"id": target.pk}


@require_POST
@moderator_required
def bulk_act(request):
    back = safe_next(request, reverse("moderation-queue"))
    form = BulkActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
        return redirect(back)
    action = form.cleaned_data["action"]
    try:
        result = moderation_bulk(
            moderator=request.user,
            action=action,
            targets=_load_targets(form.cleaned_data["targets"]),
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        messages.error(request, _text(exc))
        return redirect(back)
    label = dict(BulkActionForm.base_fields["action"].choices)[action]
    if result.done:
        done = len(result.done)
        counted = ngettext("%(n)d done.", "%(n)d done.", done) % {"n": done}
        messages.success(request, f"{label}: {counted}")
    for target, why in result.skipped:
        messages.warning(
            request, _("Skipped %(item)s: %(why)s") % {"item": _label(target), "why": why}
        )
    return redirect(back)


@require_POST
@moderator_required
def case_decide_view(request, pk: int):
    case = get_object_or_404(StuffingCase, pk=pk)
    back = safe_next(request, f"{reverse('moderation-queue')}?tab=stuffing")
    form = CaseDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
        return redirect(back)
    data = form.cleaned_data
    try:
        result = case_review(
            moderator=request.user,
            case=case,
            confirm=data["decision"] == "confirm",
            reason=data["reason"],
            ban_accounts=data["ban_accounts"],
            ban_reason=data["ban_reason"],
            ban_days=data["ban_days"],
        )
    except ValidationError as exc:
        messages.error(request, _text(exc))
        return redirect(back)
    if result.case.state == StuffingCase.State.CONFIRMED:
        messages.success(request, "Case confirmed: its votes stay out of every score.")
    else:
        messages.success(request, "Case released: its votes count again.")
    if result.banned:
        names = ", ".join(user.username for user in result.banned)
        messages.success(request, f"Banned: {names}.")
    for user, why in result.not_banned:
        messages.warning(request, f"Not banned {user.username}: {why}")
    return redirect(back)


def _person(username: str) -> User:
    return get_object_or_404(User, username=username, deleted_at__isnull=True)


def _on_user(request, username: str, form_class, action, success: str):
    """Ban or lift a ban: validate, act, say how it went on the page the moderator came from."""
    person = _person(username)
    back = safe_next(request, reverse("profile", args=[person.username]))
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(moderator=request.user, user=person, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _text(exc))
        else:
            messages.success(request, success % {"name": person.username})
    else:
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
    return redirect(back)


@require_POST
@moderator_required
def user_ban(request, username: str):
    return _on_user(request, username, BanForm, ban_create, "%(name)s is banned.")


@require_POST
@moderator_required
def user_ban_lift(request, username: str):
    return _on_user(request, username, LiftBanForm, ban_lift, "%(name)s's ban is lifted.")


def _readable(value):
    """An ISO timestamp from the log as "22 Nov 2026, 16:58 UTC"; anything else as it is."""
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        try:
            at = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if at.tzinfo is not None:
            return at.astimezone(dt.UTC).strftime("%d %b %Y, %H:%M UTC").lstrip("0")
    return value


def _diff(entry: AuditEntry) -> list[tuple[str, object, object]]:
    """(field, before, after) of the fields that changed, or that only one side has."""
    keys = list(dict.fromkeys([*entry.before, *entry.after]))
    return [
        (key, _readable(entry.before.get(key)), _readable(entry.after.get(key)))
        for key in keys
        if entry.before.get(key) != entry.after.get(key)
    ]


@require_GET
@moderator_required
def audit_log(request):
    actions = list(
        AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct()
    )
    filters = AuditFilterForm(request.GET, actions=actions)
    entries = AuditEntry.objects.all()
    chosen = filters.cleaned_data if filters.is_valid() else {}
    if chosen.get("action"):
        entries = entries.filter(action=chosen["action"])
    if chosen.get("actor"):
        entries = entries.filter(actor_name__iexact=chosen["actor"].strip())
    if chosen.get("target_type"):
        entries = entries.filter(target_type=chosen["target_type"])
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in chosen.items() if v}
    entries = list(page.object_list)
    audit_text.describe(entries)
    rows = [(entry, _diff(entry)) for entry in entries]
    context = {
        "filters": filters,
        "page": page,
        "rows": rows,
        "query": urlencode(query),
    }
    return render(request, "moderation/audit.html", context)
