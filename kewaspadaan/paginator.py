"""Page lists whose cost does not grow with the data: the count stops at ``cap`` (1,000:
twenty pages of fifty).

Django's paginator counts every matching row to number the pages; at a million incidents
that count costs more than the page itself. Past ``cap`` the list says "more than N" and
pages up to there (narrow the filters to go further)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class BoundedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, cap: int = 1_000, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def _bounded_count(self) -> int:
        # COUNT(*) over a LIMIT subquery: at most cap + 1 rows are read.
        return self.object_list[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._bounded_count, self.cap)

    @property
    def capped(self) -> bool:
        return self._bounded_count > self.cap
