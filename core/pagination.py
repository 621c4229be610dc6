import re
from dataclasses import dataclass
from functools import cached_property

from django.core.paginator import Page as DjangoPage
from django.core.paginator import Paginator
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

from core.pagecache import cached_count


@dataclass(frozen=True)
class Page:
    items: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


MAX_PAGE = 10_000


def page_of(queryset, raw_number, size: int) -> Page:
    """One page of an ordered queryset without a COUNT(*): fetch one row more than the page to
    know whether another follows. A page number that is not a positive integer means page 1."""
    try:
        number = min(max(int(raw_number), 1), MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    offset = (number - 1) * size
    rows = list(queryset[offset : offset + size + 1])
    return Page(items=rows[:size], number=number, has_next=len(rows) > size)


class CachedCountPaginator(Paginator):
    """Django's paginator with the count kept while the board stands (core.pagecache): no
    COUNT(*) over every idea per request."""

    @cached_property
    def count(self) -> int:
        return cached_count(self.object_list)


class StrictPagination(PageNumberPagination):
    """The API's page numbers: one that is not a positive integer, or past the end, is a 400
    with the reason. Every page also says where the others are in a `Link` header (RFC 8288:
    rel "first", "prev", "next", "last"), as GitHub's API does, for clients that follow links
    without reading the body."""

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param, "1")
        if not re.fullmatch(r"[0-9]{1,9}", raw) or int(raw) < 1:
            raise ValidationError({"page": ["A page is a whole number from 1."]})
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            raise ValidationError({"page": [f"There is no page {raw}."]}) from None

    def get_paginated_response_schema(self, schema):
        # Every page carries all four keys (`next` and `previous` null at the ends): required,
        # so generated clients don't type them as possibly missing.
        paginated = super().get_paginated_response_schema(schema)
        paginated["required"] = ["count", "next", "previous", "results"]
        return paginated

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        links = self.get_links()
        if links:
            response["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links)
        return response

    def get_links(self) -> list[tuple[str, str]]:
        """(rel, absolute URL) of the first, previous, next and last pages, those that exist
        and are not this one."""
        url = self.request.build_absolute_uri()
        number, last = self.page.number, self.page.paginator.num_pages
        links = []
        if number > 1:
            links.append(("first", remove_query_param(url, self.page_query_param)))
            links.append(("prev", self.get_previous_link()))
        if self.page.has_next():
            links.append(("next", self.get_next_link()))
            links.append(("last", replace_query_param(url, self.page_query_param, last)))
        return links


class IdeaPagination(StrictPagination):
    """The ideas list's pages, counted once per change of the board (CachedCountPaginator):
    only for lists whose rows change with the board version, which votes do not move. A page
    may also be kept whole in the shared cache (core.pagecache.shared): shared_page() is what
    to keep, restore_shared_page() makes this paginator answer for it as if it had run."""

    django_paginator_class = CachedCountPaginator

    def shared_page(self, rows) -> dict:
        return {"rows": list(rows), "number": self.page.number, "count": self.page.paginator.count}

    def restore_shared_page(self, request, shared: dict, view=None) -> list:
        if getattr(self, "page", None) is None:  # taken from the cache: no paginating ran
            paginator = self.django_paginator_class([], self.get_page_size(request))
            paginator.count = shared["count"]  # the cached_property, set
            self.page = DjangoPage(shared["rows"], shared["number"], paginator)
            self.request = request
        return [dict(row) for row in shared["rows"]]
