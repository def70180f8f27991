"""Shapes the API answers with: errors, pages of lists, and the resources of each area."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.responses import codes_4xx

T = TypeVar("T")

PAGE_SIZE = 100
MAX_PAGE_SIZE = 500


class LocationOut(Schema):
    file: str | None = None
    sheet: str | None = None
    row: int | str | None = None
    column: str | None = None
    value: str | None = None


class ErrorItem(Schema):
    code: str
    message: str
    location: LocationOut


class ErrorOut(Schema):
    """Every refusal: a stable code, a Chinese message naming where, and the location itself."""

    code: str = Field(examples=["stale_edit"])
    message: str
    location: LocationOut
    errors: list[ErrorItem] = []
    # A stale write: the value and version stored now.
    current: dict[str, Any] | None = None


# Every operation documents every client error in the one shape above.
ERRORS: dict[frozenset[int] | int, type[Schema]] = {codes_4xx | {413, 422}: ErrorOut}


class Page(Schema, Generic[T]):
    count: int
    page: int
    page_size: int
    items: list[T]


def paged(items: Sequence[Any] | QuerySet[Any], page: int, page_size: int) -> dict[str, Any]:
    """One page of a list or queryset (1-based pages); past the end is an empty page."""
    count = items.count() if isinstance(items, QuerySet) else len(items)
    start = (page - 1) * page_size
    return {"count": count, "page": page, "page_size": page_size, "items": list(items[start:start + page_size])}
