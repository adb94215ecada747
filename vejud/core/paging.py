"""Keyset pagination of list pages: newest first, the next page after the last row's id.

A page costs the same however deep the user goes (no OFFSET), and the links keep the
page's other query parameters (filters, search).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest

T = TypeVar("T")


def positive_int(raw: object) -> int | None:
    """Return ``raw`` as a positive number that fits a database id, or None.

    ASCII digits only: ``str.isdigit`` is also true of "²", which ``int`` refuses."""
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) < 19:
        return int(raw) or None
    return None


def keyset_page(
    request: HttpRequest, rows: QuerySet[Any], size: int
) -> tuple[list[Any], str | None, str | None]:
    """Return one page of ``rows`` (newest id first, after ``?after=``), and the URLs of the
    first page (None on the first page) and of the next page (None on the last)."""
    after = positive_int(request.GET.get("after"))
    if after:
        rows = rows.filter(pk__lt=after)
    page = list(rows.order_by("-pk")[: size + 1])
    has_next, page = len(page) > size, page[:size]
    params = request.GET.copy()
    params.pop("after", None)
    first_url = f"?{params.urlencode()}" if after else None
    next_url = None
    if has_next:
        params["after"] = str(page[-1].pk)
        next_url = f"?{params.urlencode()}"
    return page, first_url, next_url
