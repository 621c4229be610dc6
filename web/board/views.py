"""The board's admin pages (/manage/): settings and categories, plus what every page loads
from them (the theme's colours) and the uploaded files on local storage."""

import mimetypes
import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from actions.categories import categories_merge
from board.contrast import lighten_until, mix
from board.models import BoardSettings
from board.selectors import board_settings
from board.services import board_settings_update
from core.forms import add_service_errors
from core.roles import board_admin_required
from ideas.categories import category_create, category_move, category_retire, category_update
from ideas.models import Category
from web.board.forms import BoardSettingsForm, CategoryForm, CategoryMergeForm

YEAR = 365 * 24 * 3600
LOGO_NAME = re.compile(r"board/logo-[0-9a-f]{16}\.png")


@board_admin_required
@require_http_methods(["GET", "POST"])
def board_settings_view(request):
    row = BoardSettings.objects.filter(pk=1).first() or BoardSettings()
    initial = {
        field: getattr(row, field)
        for field in BoardSettingsForm.base_fields
        if field not in ("logo", "remove_logo")
    }
    posted = request.method == "POST"
    form = BoardSettingsForm(
        request.POST if posted else None, request.FILES if posted else None, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        logo, remove_logo = data.pop("logo"), data.pop("remove_logo")
        try:
            board_settings_update(
                actor=request.user, changes=data, logo=logo, remove_logo=remove_logo
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The board's settings are saved."))
            return redirect("manage-board")
    return render(
        request,
        "board/settings.html",
        {"form": form, "row": row, "tab": "settings"},
        status=400 if form.errors else 200,
    )


def _categories_page(request, form, status=200):
    categories = (
        Category.objects.select_related("merged_into")
        .annotate(idea_count=Count("ideas"))
        .order_by("position", "name", "pk")
    )
    return render(
        request,
        "board/categories.html",
        {"categories": list(categories), "form": form, "tab": "categories"},
        status=status,
    )


@board_admin_required
@require_http_methods(["GET", "POST"])
def categories_view(request):
    """The list, in the order members see, with a form to add one."""
    form = CategoryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            category = category_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(name)s” is added.") % {"name": category.name})
            return redirect("manage-categories")
    return _categories_page(request, form, status=400 if form.errors else 200)


@board_admin_required
@require_http_methods(["GET", "POST"])
def category_view(request, pk: int):
    """Edit one category; retire, restore or merge it."""
    category = get_object_or_404(Category.objects.select_related("merged_into"), pk=pk)
    initial = {"name": category.name, "slug": category.slug, "description": category.description}
    form = CategoryForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            category_update(actor=request.user, category=category, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("“%(name)s” is saved.") % {"name": form.cleaned_data["name"]}
            )
            return redirect("manage-categories")
    return render(
        request,
        "board/category.html",
        {
            "category": category,
            "form": form,
            "merge_form": CategoryMergeForm(source=category),
            "idea_count": category.ideas.count(),
            "tab": "categories",
        },
        status=400 if form.errors else 200,
    )


@board_admin_required
@require_POST
def category_move_view(request, pk: int):
    category = get_object_or_404(Category, pk=pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    category_move(actor=request.user, category=category, offset=offset)
    return redirect(reverse("manage-categories") + f"#category-{pk}")


@board_admin_required
@require_POST
def category_retire_view(request, pk: int):
    category = get_object_or_404(Category, pk=pk)
    retire = request.POST.get("retired") != "0"
    try:
        category_retire(actor=request.user, category=category, retired=retire)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if retire:
            text = _("“%(name)s” is retired: it keeps its ideas and takes no new ones.")
        else:
            text = _("“%(name)s” takes new ideas again.")
        messages.success(request, text % {"name": category.name})
    return redirect("manage-categories")


@board_admin_required
@require_POST
def category_merge_view(request, pk: int):
    category = get_object_or_404(Category.objects.select_related("merged_into"), pk=pk)
    merge_form = CategoryMergeForm(request.POST, source=category)
    if merge_form.is_valid():
        target = merge_form.cleaned_data["target"]
        try:
            moved = categories_merge(actor=request.user, source=category, target=target)
        except ValidationError as error:
            add_service_errors(merge_form, error)
        else:
            messages.success(
                request,
                _("“%(source)s” is merged into “%(target)s”: %(count)s ideas moved.")
                % {"source": category.name, "target": target.name, "count": moved},
            )
            return redirect("manage-categories")
    initial = {"name": category.name, "slug": category.slug, "description": category.description}
    return render(
        request,
        "board/category.html",
        {
            "category": category,
            "form": CategoryForm(initial=initial),
            "merge_form": merge_form,
            "idea_count": category.ideas.count(),
            "tab": "categories",
        },
        status=400,
    )


# Dark mode's surfaces (static/css/site.css): the accent is lightened until it reads on them.
DARK_CARD = "#161b24"


def dark_accent_css(accent: str) -> str:
    """The accent for dark mode: light enough for text on the dark card (4.5:1 and a margin),
    with dark text on it when it fills a button, and a dark tint of it for soft fills. The same
    two selectors site.css uses for its dark theme, so these win after it."""
    brand = lighten_until(accent, DARK_CARD, 6.0)
    hover = lighten_until(accent, DARK_CARD, 9.0)
    soft = mix(DARK_CARD, accent, 0.28)
    tokens = f"--brand: {brand}; --brand-dark: {hover}; --brand-soft: {soft};"
    system = ':root:not([data-theme="light"])'
    return (
        f':root[data-theme="dark"] {{ {tokens} }}\n'
        f"@media (prefers-color-scheme: dark) {{ {system} {{ {tokens} }} }}\n"
    )


@require_GET
def theme_css(request):
    """The accent colour as CSS custom properties: a file (the CSP allows no inline style),
    cached for a year under a URL that changes with the colour (?v=)."""
    board = board_settings()
    css = (
        f":root {{ --brand: {board.accent}; --brand-dark: {board.accent_hover}; "
        f"--brand-soft: {mix('#ffffff', board.accent, 0.1)}; }}\n" + dark_accent_css(board.accent)
    )
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    if request.GET.get("v") == board.theme_version:
        response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response["Cache-Control"] = "public, max-age=60"
    return response


@require_GET
def media(request, name: str):
    """Uploaded files on local storage (the logo). Names are content hashes, so they are
    cached for a year. Behind nginx, serve MEDIA_ROOT at /media/ directly instead."""
    if not LOGO_NAME.fullmatch(name):  # only what board.images writes: no paths, no NUL
        raise Http404
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, NotImplementedError, OSError):
        raise Http404 from None
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response
