"""Rows in force for a period: from ``valid_from`` to ``valid_to`` (empty: open-ended)."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

M = TypeVar("M", bound=models.Model)


def covers(start: date | None, end: date | None, day: date) -> bool:
    """Whether the period from ``start`` (empty: from always) to ``end`` (empty: open-ended),
    both days included, covers ``day``."""
    return (start is None or start <= day) and (end is None or end >= day)


class ValidPeriod(models.Model):
    """A row in force from ``valid_from`` (default: today) to ``valid_to`` (empty: open-ended).

    Abstract; the subclass names the check that the end is not before the start
    (``vejud.core.constraints.end_not_before_start``) in its own ``Meta``.
    """

    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        abstract = True


class ValidPeriodQuerySet(models.QuerySet[M]):
    """The rows of a ``ValidPeriod`` model in force on a day."""

    def in_force(self, on: date | None = None) -> ValidPeriodQuerySet[M]:
        """Return the rows in force on ``on`` (default: today in Copenhagen)."""
        day = on or timezone.localdate()
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day))
