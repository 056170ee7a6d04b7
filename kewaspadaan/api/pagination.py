from rest_framework.pagination import CursorPagination


class CodeCursorPagination(CursorPagination):
    """Cursor pagination (stable under inserts, constant cost per page) for large lists."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = "pk"
