"""Pre-aggregated counters for the national overview, kept by database triggers.

The counters are derived data: counts by unit, track and status, events by month,
and the number of open early warnings. No row names a person or a case. Triggers
on the source tables (``vejud.statistics.triggers``) change them in the same
statement as the data, so they are consistent with it at every commit, whichever
code path wrote the data (services, the admin, a bulk COPY). ``counters_rebuild``
recomputes them from the data and ``counters_check`` compares.

They are not ``@guarded``: the audit guard protects person and case data, and
these tables hold neither. Every write to them in normal operation happens
inside the audited transaction that changed the case; a counter changed by hand
is found by ``vejud statistics --check`` and repaired by ``--rebuild``.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from vejud.organisations.models import Unit


class MonthEvent(models.TextChoices):
    OPENED = "opened", "opened"  # Case.opened_on: an inquiry became a case
    ADMITTED = "admitted", "admitted"  # Case.course_started_on: the exit course started
    ENDED = "ended", "ended"  # Case.closed_on: closed, refused, withdrawn or dropped


class CaseCount(models.Model):
    """How many cases have this responsible unit, track and status."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    track = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "track", "status"], name="casecount_key"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.track}/{self.status}: {self.n}"


class MonthCount(models.Model):
    """How many cases of a track had an event (opened, admitted, ended) in a month."""

    month = models.DateField()  # the first day of the month
    track = models.CharField(max_length=20)
    event = models.CharField(max_length=10, choices=MonthEvent.choices)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "track", "event"], name="monthcount_key"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}/{self.track}/{self.event}: {self.n}"


class Tally(models.Model):
    """A single named count (``open_early_warnings``)."""

    name = models.CharField(max_length=40, primary_key=True)
    n = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.n}"


OPEN_EARLY_WARNINGS = "open_early_warnings"


class ReleasedTable(models.Model):
    """A table as released (vejud.statistics.disclosure): the true counts behind it and the
    period they cover, kept so that no later release can be subtracted from it to reveal a
    count of 1-4 persons. Counts only: no person, no case."""

    key = models.CharField(max_length=60)
    period_start = models.DateField()
    period_end = models.DateField()
    counts = models.JSONField()  # {figure: n}
    digest = models.CharField(max_length=64)  # SHA-256 of the counts: each state kept once
    released_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["key", "period_start", "period_end"], name="released_table_key")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "period_start", "period_end", "digest"], name="released_table_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.period_start}..{self.period_end}"
