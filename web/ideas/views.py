from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from actions import merging
from actions.ideas import idea_revise, idea_status_set, idea_submit
from actions.merging import suggested_merges
from board.selectors import board_settings
from core import formtokens, pagecache, ratelimit
from core.forms import add_service_errors
from core.pagecache import wants_fragment
from core.pagination import page_of
from core.roles import is_product_manager
from core.text import printable_line
from ideas import search
from ideas.models import (
    DEFAULT_SORT,
    SORT_LABELS,
    SORTS,
    Category,
    Idea,
    Merge,
    Status,
    Tag,
    put_viewer_votes,
)
from ideas.services import idea_is_editable, idea_restore, idea_withdraw
from notifications.selectors import followed_by, is_following
from storms.models import StormSession
from votes.selectors import rank_explanation, segment_demand, vote_history
from web.cards import with_card_figures
from web.ideas import detail_page
from web.ideas import merging as merge_pages
from web.ideas.forms import (
    SHOW_CHOICES,
    IdeaFilterForm,
    IdeaForm,
    IdeaSubmitForm,
    MergeForm,
    StatusForm,
)
from web.ideas.similar import similar_panel
from web.middleware import banned_response
from web.skeleton import cache_pages

PAGE_SIZE = 20
# The cards' figures (web.cards.with_card_figures) are read in the list's own query on the first
# pages; on deeper ones, in one query of their own (the database would compute them for every
# row it skips to get there).
FIGURES_INLINE_PAGES = 5


@require_GET
@cache_pages
def home(request):
    ideas = with_card_figures(
        Idea.objects.visible().for_shared_list().with_viewer_vote(request.user)
    ).ranked(DEFAULT_SORT)[:10]
    return render(
        request,
        "ideas/home.html",
        {
            "ideas": ideas,
            "storm_sessions": list(StormSession.objects.announced(timezone.now()))
            if board_settings().storms_enabled
            else [],
            "categories": Category.objects.active(),
            "sort": DEFAULT_SORT,
            "half_life_days": settings.IDEAS_HALF_LIFE_DAYS,
        },
    )


def _show_filter(ideas, show: str, user):
    if show == "mine":
        return ideas.filter(author=user)
    if show == "voted":
        return ideas.voted_by(user)
    return ideas.filter(followed_by(user))


# What idea_list reads from the query string, as the page cache must know it (a request with
# anything else, or a value of another shape, is served fresh: core.pagecache).
IDEA_LIST_QUERY = {
    # The board's admins choose the default order (board.models.BoardSettings.default_sort).
    "sort": pagecache.choice(SORTS, default=lambda: board_settings().default_sort),
    "category": pagecache.slug(
        max_length=60, known=lambda slug: Category.objects.filter(slug=slug).exists()
    ),
    "status": pagecache.choice(Status.values),
    "tag": pagecache.slug(max_length=40, known=lambda slug: Tag.objects.filter(slug=slug).exists()),
    "show": pagecache.choice(dict(SHOW_CHOICES)),
    # A few words, kept once asked a few times (ideas.search.SEARCH); longer text is fresh.
    "q": search.SEARCH,
    "page": pagecache.PAGE,
}


@require_GET
@cache_pages(query=IDEA_LIST_QUERY)
def idea_list(request):
    filters = IdeaFilterForm(request.GET).cleaned()
    board = board_settings()
    # Only the orders the board offers; any other falls back to its default.
    sort = filters["sort"] if filters["sort"] in board.sorts else board.default_sort
    ideas = Idea.objects.visible().for_shared_list()
    category = tag = None
    if filters["category"]:
        category = (
            Category.objects.filter(slug=filters["category"]).select_related("merged_into").first()
        )
        if category is not None and category.merged_into is not None:
            # A merged category's address leads to the one it went into.
            query = request.GET.copy()
            query["category"] = category.merged_into.slug
            return redirect(f"{request.path}?{query.urlencode()}")
        ideas = ideas.filter(category=category) if category else ideas.none()
    if filters["tag"]:
        tag = Tag.objects.filter(slug=filters["tag"]).first()
        ideas = ideas.filter(tags=tag) if tag else ideas.none()
    if filters["status"]:
        ideas = ideas.filter(status=filters["status"])
    show = filters["show"] if request.user.is_authenticated else ""
    if show:
        ideas = _show_filter(ideas, show, request.user)
    q = filters["q"] or ""
    ideas = search.matching(ideas, q)
    if _page_number(request) <= FIGURES_INLINE_PAGES:
        ideas = with_card_figures(ideas)
    page = _page_for(request, ideas.ranked(sort))
    query = request.GET.copy()
    query.pop("page", None)
    without_tag = query.copy()
    without_tag.pop("tag", None)
    context = {
        "page": page,
        "ideas": page.items,
        "sort": sort,
        "sort_label": SORT_LABELS[sort],
        "sorts": [(s, SORT_LABELS[s]) for s in SORTS if s in board.sorts],
        "filters": filters,
        "category": category,
        "tag": tag,
        "show": show,
        "show_label": dict(SHOW_CHOICES).get(show, ""),
        "show_choices": SHOW_CHOICES,
        "q": q,
        # Open categories, and a retired one while its ideas are shown.
        "categories": Category.objects.filter(
            Q(retired_at__isnull=True) | Q(pk=category.pk if category else None)
        ),
        "statuses": Status.choices,
        "query_without_page": query.urlencode(),
        "query_without_tag": without_tag.urlencode(),
        "half_life_days": settings.IDEAS_HALF_LIFE_DAYS,
    }
    fragment = wants_fragment(request)
    template = "ideas/idea_list.html#results" if fragment else "ideas/idea_list.html"
    return render(request, template, {**context, "fragment": fragment})


def _page_number(request) -> int:
    try:
        return int(request.GET.get("page") or 1)
    except ValueError:
        return 1


def _page_for(request, ideas):
    """The page of ideas the request asks for, with the viewer's own votes on them (a second,
    small query: the rows themselves are the same for every viewer, which is what lets
    web/skeleton.py share a member's page)."""
    page = page_of(ideas, request.GET.get("page"), PAGE_SIZE)
    if getattr(request, "skeleton", None) is None:  # a skeleton's viewer gets theirs on filling
        put_viewer_votes(page.items, request.user)
    return page


def _visible_idea(pk: int, user=None) -> Idea:
    ideas = Idea.objects.visible().select_related("category", "author", "responded_by")
    if user is not None:
        ideas = ideas.with_viewer_vote(user)
    return get_object_or_404(ideas, pk=pk)


@require_GET
def idea_detail(request, pk: int, slug: str | None = None):
    # Plain members and visitors get the page from a skeleton shared by all of them, with their
    # own parts filled in (web/ideas/detail_page.py); anyone else gets it rendered for them.
    shared = detail_page.serve(request, pk, slug, render=_idea_page)
    return shared if shared is not None else _idea_page(request, pk)


def _idea_page(request, pk: int, page_marks: dict | None = None):
    """The idea page rendered for this request; with `page_marks`, the skeleton every plain
    member (or visitor) shares, its per-viewer parts left as those markers."""
    # The author sees their held idea, moderators held and hidden ones (with a banner).
    ideas = Idea.objects.viewable_by(request.user).select_related("category", "author", "session")
    idea = ideas.select_related("responded_by").with_viewer_vote(request.user).filter(pk=pk).first()
    if idea is None:
        # The author of a withdrawn idea lands here after Withdraw: it is theirs to undo.
        withdrawn = _own_withdrawn_idea(request.user, pk)
        if withdrawn is None:
            raise Http404
        return render(request, "ideas/idea_withdrawn.html", {"idea": withdrawn})
    if idea.merged_into_id:
        messages.info(request, _("“%(title)s” was merged into this idea.") % {"title": idea.title})
        return redirect("idea-detail", pk=idea.merged_into_id)
    others = Idea.objects.visible().exclude(pk=idea.pk)
    is_pm = is_product_manager(request.user)
    # The skeleton leaves what moves with votes to detail_page, which keeps it apart.
    marks = page_marks or {}
    context = {
        "idea": idea,
        "page_marks": page_marks,
        "why": None if "why" in marks else rank_explanation(idea),
        "tags": list(idea.tags.all()),
        "shipped_in": list(idea.changelog_entries.published().newest_first()),
        "status_changes": list(idea.status_changes.select_related("actor")),
        "chart": None if "chart" in marks else vote_history(idea),
        "similar": None if "similar" in marks else search.similar_to(idea, others),
        "can_edit": idea_is_editable(idea, request.user),
        "status_form": StatusForm(initial={"status": idea.status}) if is_pm else None,
        # The viewer's own vote was recorded by staff (votes.staff): say so near the tally.
        "viewer_vote_recorded": idea.viewer_vote is not None
        and idea.votes.filter(voter=request.user, recorded_by__isnull=False).exists(),
        "viewer_following": is_following(request.user, idea),
    }
    if is_pm:
        context["segments"] = segment_demand(idea.pk)
        context["recorded_votes"] = idea.votes.filter(recorded_by__isnull=False).count()
    return render(request, "ideas/idea_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def idea_new(request):
    if request.user.is_banned:  # say so before the member writes the idea, not after
        return banned_response(request)
    # The form posted again (Back then Submit, a double click): where the first post went.
    token = formtokens.token_clean(request.POST.get(formtokens.FIELD_NAME))
    if earlier := formtokens.earlier_id(user=request.user, kind="idea", token=token):
        return formtokens.see_other(reverse("idea-detail", args=[earlier]))
    # ?session=SLUG: submitting into that Storm Session.
    form = IdeaSubmitForm(request.POST or None, initial={"session": request.GET.get("session")})
    if request.method == "POST" and form.is_valid():
        if exceeded := ratelimit.hit("idea", request.user.pk):
            return ratelimit.page_response(request, exceeded)
        try:
            outcome = formtokens.create_once(
                user=request.user,
                kind="idea",
                token=token,
                create=lambda: idea_submit(author=request.user, **form.cleaned_data),
            )
        except ValidationError as error:
            # The session closed between the form's check and the save: say so at the top.
            for field, errors in error.message_dict.items():
                form.add_error(field if field in ("title", "category") else None, errors)
            return render(request, "ideas/idea_form.html", {"form": form}, status=400)
        if outcome.created is None:  # a twin post, at the same moment, created it
            return formtokens.see_other(reverse("idea-detail", args=[outcome.earlier_id]))
        idea = outcome.created
        if idea.held_at:
            messages.success(
                request,
                _("Thanks! Waiting for review: a moderator will look at it soon."),
            )
        else:
            messages.success(request, _("Thanks! Your idea is on the board."))
        return redirect(idea)
    return render(
        request, "ideas/idea_form.html", {"form": form}, status=400 if form.errors else 200
    )


@require_GET
def idea_similar(request):
    """Up to 5 existing ideas like the title being typed (the submit form asks as you type)."""
    title = printable_line(request.GET.get("title", ""))[:200]
    # The lookup kept per board version, the panel per what it shows (web/ideas/similar.py).
    return similar_panel(request, title)


@login_required
@require_http_methods(["GET", "POST"])
def idea_edit(request, pk: int):
    idea = _visible_idea(pk)
    if not idea_is_editable(idea, request.user):
        raise PermissionDenied(
            _("Only the author can edit an idea, until someone else votes on it.")
        )
    initial = {
        "title": idea.title,
        "description": idea.description,
        "category": idea.category,
        "tags": ", ".join(idea.tags.values_list("name", flat=True)),
    }
    form = IdeaForm(request.POST or None, initial=initial)
    # The idea may stay in its category after that is retired.
    form.fields["category"].queryset = Category.objects.filter(
        Q(retired_at__isnull=True) | Q(pk=idea.category_id)
    )
    if request.method == "POST" and form.is_valid():
        try:
            idea = idea_revise(idea=idea, user=request.user, **form.cleaned_data)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return redirect(idea)
        except ValidationError as error:
            add_service_errors(form, error)
            return render(request, "ideas/idea_form.html", {"form": form, "idea": idea}, status=400)
        messages.success(request, _("Your idea is updated."))
        return redirect(idea)
    return render(
        request,
        "ideas/idea_form.html",
        {"form": form, "idea": idea},
        status=400 if form.errors else 200,
    )


def _own_withdrawn_idea(user, pk: int) -> Idea | None:
    """The user's own withdrawn idea that they may restore: not merged, not hidden."""
    if not user.is_authenticated:
        return None
    withdrawn = Idea.objects.filter(
        withdrawn_at__isnull=False, merged_into__isnull=True, hidden_at__isnull=True, author=user
    )
    return withdrawn.select_related("category").filter(pk=pk).first()


@login_required
@require_http_methods(["GET", "POST"])
def idea_withdraw_view(request, pk: int):
    """GET asks to confirm; the POST withdraws and leads back to the idea, where its author may
    undo it (idea_restore_view)."""
    ideas = Idea.objects.viewable_by(request.user).filter(merged_into__isnull=True)
    idea = ideas.select_related("category").filter(pk=pk).first()
    if idea is None:
        # Withdrawn already (a double click, Back then Confirm): where the first post led.
        if (withdrawn := _own_withdrawn_idea(request.user, pk)) is not None:
            return redirect(withdrawn)
        raise Http404
    if idea.author_id != request.user.pk:
        raise PermissionDenied(_("Only the author can withdraw an idea."))
    if request.method == "GET":
        return render(request, "ideas/idea_withdraw_confirm.html", {"idea": idea})
    idea_withdraw(idea=idea, user=request.user)
    messages.success(request, _("“%(title)s” is withdrawn.") % {"title": idea.title})
    return redirect(idea)


@login_required
@require_POST
def idea_restore_view(request, pk: int):
    """Undo of Withdraw, for the author only (anyone else: no such idea)."""
    idea = _own_withdrawn_idea(request.user, pk)
    if idea is None:
        # Restored already (a double click on Undo): back to the idea, which is theirs.
        restored = Idea.objects.viewable_by(request.user).filter(pk=pk, author=request.user)
        if (idea := restored.first()) is not None:
            return redirect(idea)
        raise Http404
    idea = idea_restore(idea=idea, user=request.user)
    messages.success(request, _("“%(title)s” is back on the board.") % {"title": idea.title})
    return redirect(idea)


@login_required
@require_POST
def idea_status(request, pk: int):
    if not is_product_manager(request.user):
        raise PermissionDenied(_("Only product managers change an idea's status."))
    idea = _visible_idea(pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            idea_status_set(idea=idea, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            label = Status(form.cleaned_data["status"]).label
            messages.success(request, _("Status set to %(status)s.") % {"status": label})
            return redirect(idea)
    return render(request, "ideas/status_form_page.html", {"idea": idea, "form": form}, status=400)


def _pm_only(request) -> None:
    if not is_product_manager(request.user):
        raise PermissionDenied(_("Only product managers merge ideas."))


def _merge_page(request, merged: Idea, *, form=None, status: int = 200):
    """The search for the idea to keep; the results alone when htmx asks as the PM types."""
    text = request.GET.get("q", "").strip()[: merge_pages.QUERY_MAX_LENGTH]
    context = {
        "idea": merged,
        "q": text,
        "candidates": merge_pages.merge_candidates(merged, text),
        "form": form,
    }
    if request.htmx and request.method == "GET":
        return render(request, "ideas/merge_page.html#results", context)
    return render(request, "ideas/merge_page.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def idea_merge_view(request, pk: int):
    """Merge this idea into another in three steps: search for the idea to keep, see both side
    by side, confirm. Only a POST carrying the confirmation merges."""
    _pm_only(request)
    merged = get_object_or_404(merge_pages.mergeable(), pk=pk)
    data = request.POST if request.method == "POST" else request.GET
    if request.method == "GET" and ("into" not in data or "search" in data):
        return _merge_page(request, merged)
    form = MergeForm(data)
    kept = None
    if form.is_valid():
        kept = (
            merge_pages.mergeable()
            .exclude(pk=merged.pk)
            .for_list()
            .filter(pk=form.cleaned_data["into"])
            .first()
        )
        if kept is None:
            form.add_error("into", _("There is no open idea with that number to keep."))
    if kept is None:
        return _merge_page(request, merged, form=form, status=400)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            merging.idea_merge(
                actor=request.user, merged=merged, kept=kept, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error("into" if field in ("kept", "merged") else None, errors)
        else:
            messages.success(
                request,
                _("Merged #%(merged)d into this idea: its votes, comments and followers are here.")
                % {"merged": merged.pk},
            )
            return redirect(kept)
    context = {
        "idea": merged,
        "kept": kept,
        "form": form,
        "q": data.get("q", ""),
        "preview": merge_pages.merge_preview(merged, kept),
    }
    return render(request, "ideas/merge_confirm.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def merge_undo_view(request, pk: int):
    _pm_only(request)
    merge = get_object_or_404(Merge, pk=pk)
    try:
        merging.idea_merge_undo(actor=request.user, merge=merge)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(merge.kept)
    messages.success(request, _("Merge undone: both ideas are as they were."))
    return redirect(merge.merged)


@login_required
@require_GET
def merge_suggestions(request):
    _pm_only(request)
    return render(request, "ideas/merge_suggestions.html", {"pairs": suggested_merges()})
