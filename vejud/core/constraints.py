"""Check constraints that many tables share: a period or range whose end is not before its start."""

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
