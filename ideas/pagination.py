from dataclasses import dataclass


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
