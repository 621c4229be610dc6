from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from ideas.forms import IdeaFilterForm, IdeaForm
from ideas.models import DEFAULT_SORT, SORTS, Category, Idea, Status
from ideas.pagecache import cache_for_visitors, wants_fragment
from ideas.pagination import page_of
from ideas.services import idea_create
from votes.selectors import rank_explanation

PAGE_SIZE = 20
SORT_LABELS = {"popular": "Popular", "top": "Top", "new": "New", "trending": "Trending"}


@require_GET
@cache_for_visitors
def home(request):
    ideas = Idea.objects.for_list().with_viewer_vote(request.user).ranked(DEFAULT_SORT)[:10]
    return render(
        request,
        "ideas/home.html",
        {
            "ideas": ideas,
            "categories": Category.objects.all(),
            "sort": DEFAULT_SORT,
            "half_life_days": settings.IDEAS_HALF_LIFE_DAYS,
        },
    )


@require_GET
@cache_for_visitors
def idea_list(request):
    filters = IdeaFilterForm(request.GET).cleaned()
    sort = filters["sort"] or DEFAULT_SORT
    ideas = Idea.objects.for_list().with_viewer_vote(request.user)
    category = None
    if filters["category"]:
        category = Category.objects.filter(slug=filters["category"]).first()
        ideas = ideas.filter(category=category) if category else ideas.none()
    if filters["status"]:
        ideas = ideas.filter(status=filters["status"])
    ideas = ideas.search(filters["q"] or "").ranked(sort)
    page = page_of(ideas, request.GET.get("page"), PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "ideas": page.items,
        "sort": sort,
        "sort_label": SORT_LABELS[sort],
        "sorts": [(s, SORT_LABELS[s]) for s in SORTS],
        "filters": filters,
        "category": category,
        "categories": Category.objects.all(),
        "statuses": Status.choices,
        "query_without_page": query.urlencode(),
    }
    template = "ideas/idea_list.html#results" if wants_fragment(request) else "ideas/idea_list.html"
    return render(request, template, context)


@require_GET
def idea_detail(request, pk: int, slug: str | None = None):
    idea = get_object_or_404(
        Idea.objects.select_related("category", "author").with_viewer_vote(request.user), pk=pk
    )
    return render(request, "ideas/idea_detail.html", {"idea": idea, "why": rank_explanation(idea)})


@login_required
@require_http_methods(["GET", "POST"])
def idea_new(request):
    form = IdeaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        idea = idea_create(author=request.user, **form.cleaned_data)
        messages.success(request, "Thanks! Your idea is on the board.")
        return redirect(idea)
    return render(
        request, "ideas/idea_form.html", {"form": form}, status=400 if form.errors else 200
    )
