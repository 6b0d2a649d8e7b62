"""Page arithmetic shared by every paginated list (storefront and back office)."""
from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil


class PageNumbers:
    """Mixed into a page dataclass that has `total`, `page` and `per_page` fields."""

    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def clamp_page(page: int, total: int, per_page: int) -> int:
    """A page number within 1..last page: a number past the end shows the last page, never an error."""
    return min(max(1, page), max(1, ceil(total / per_page)))


@dataclass
class ListPage(PageNumbers):
    """One page of any list: its rows, the number of rows in the whole list, and figures over all of them."""

    rows: list
    total: int
    page: int
    per_page: int
    figures: dict = field(default_factory=dict)


def offset_of(page: int, per_page: int) -> int:
    """How many rows come before `page`."""
    return (page - 1) * per_page
