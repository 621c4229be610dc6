"""The product managers' pages: the dashboard of top product requests with the board's
figures and charts, and the exports of any filtered list of ideas."""

import json

from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from core.pagecache import wants_fragment
from core.roles import pm_required
from ideas.models import Idea
from pm import selectors
from pm.export import csv_stream, json_stream, segments_csv_stream
from web.pm.forms import IdeaFilterForm

# Rows of the top requests table per page: the figures and charts above stay in view.
TABLE_PAGE_SIZE = 20


@require_GET
@pm_required
def dashboard(request):
    filters = IdeaFilterForm(request.GET)
    snapshot = selectors.latest_snapshot()
    valid = filters.is_valid()
    rows = selectors.top_requests(snapshot, filters) if snapshot and valid else []
    page = Paginator(rows, TABLE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filters": filters,
        "snapshot": snapshot,
        "rows": page.object_list,
        "page": page,
        "segments": [label for _, label in selectors.SEGMENTS],
        "query": query.urlencode() if valid else "",
    }
    fragment = wants_fragment(request)
    if not fragment:
        context.update(selectors.board_overview())
    template = "pm/dashboard.html#table" if fragment else "pm/dashboard.html"
    response = render(request, template, context, status=200 if valid else 400)
    # The same URL answers htmx with the table alone: caches must not mix the two up.
    patch_vary_headers(response, ("HX-Request",))
    return response


def _export(request, *, stream, content_type: str, extension: str, errors, what: str = "ideas"):
    filters = IdeaFilterForm(request.GET)
    if not filters.is_valid():
        return errors(filters)
    ideas = filters.apply(Idea.objects.visible())
    origin = request.build_absolute_uri("/")[:-1]
    response = StreamingHttpResponse(stream(ideas, origin=origin), content_type=content_type)
    name = f"ideastorm-{what}-{timezone.localdate():%Y-%m-%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _text_errors(form) -> HttpResponse:
    return HttpResponse(
        form.error_text() + "\n", status=400, content_type="text/plain; charset=utf-8"
    )


@require_GET
@pm_required
def export_csv(request):
    return _export(
        request,
        stream=csv_stream,
        content_type="text/csv; charset=utf-8",
        extension="csv",
        errors=_text_errors,
    )


@require_GET
@pm_required
def export_segments_csv(request):
    """Votes by customer segment: a row per idea and segment, for a spreadsheet's pivot table."""
    return _export(
        request,
        stream=segments_csv_stream,
        content_type="text/csv; charset=utf-8",
        extension="csv",
        errors=_text_errors,
        what="votes-by-segment",
    )


@require_GET
@pm_required
def export_json(request):
    return _export(
        request,
        stream=json_stream,
        content_type="application/json",
        extension="json",
        errors=lambda form: HttpResponse(
            json.dumps({"errors": form.errors.get_json_data()}),
            status=400,
            content_type="application/json",
        ),
    )
