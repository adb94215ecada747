"""Check constraints that many tables share: a period or range whose end is not before its start,
a number within its range or above zero, a text that must not be empty."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q


def end_not_before_start(
    end: str, start: str, *, name: str, open_start: bool = False
) -> models.CheckConstraint:
    """``end`` is empty (open) or on/after ``start``; ``open_start``: ``start`` may be empty too."""
    condition = Q(**{f"{end}__isnull": True})
    if open_start:
        condition |= Q(**{f"{start}__isnull": True})
    return models.CheckConstraint(condition=condition | Q(**{f"{end}__gte": F(start)}), name=name)


def in_range(
    field: str, low: int, high: int, *, name: str, optional: bool = False
) -> models.CheckConstraint:
    """``field`` is from ``low`` to ``high`` (both included); ``optional``: it may be empty too."""
    condition = Q(**{f"{field}__gte": low, f"{field}__lte": high})
    if optional:
        condition = Q(**{f"{field}__isnull": True}) | condition
    return models.CheckConstraint(condition=condition, name=name)


def positive(field: str, *, name: str) -> models.CheckConstraint:
    """``field`` is above zero."""
    return models.CheckConstraint(condition=Q(**{f"{field}__gt": 0}), name=name)


def not_blank(field: str, *, name: str) -> models.CheckConstraint:
    """The text ``field`` is not empty: what the row records must be written down."""
    return models.CheckConstraint(condition=~Q(**{field: ""}), name=name)
