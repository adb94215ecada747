"""The national overview, read from the pre-aggregated counters only.

Every query reads a counter table whose size depends on the number of units,
statuses and months, never on the number of cases, so the page costs the same
at ten thousand cases as at a million. Nothing here names a person or a case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Sum
from django.utils import timezone
from django.utils.functional import Promise

from vejud.cases.models import OPEN_STATUSES, CaseStatus, Track
from vejud.statistics.models import OPEN_EARLY_WARNINGS, CaseCount, MonthCount, MonthEvent, Tally

MONTHS_SHOWN = 12


@dataclass(frozen=True)
class TrackCounts:
    """Cases on the liberty track and on the custody track, and both."""

    liberty: int
    custody: int

    @property
    def total(self) -> int:
        return self.liberty + self.custody


@dataclass(frozen=True)
class StatusRow(TrackCounts):
    label: Promise | str
    is_open: bool


@dataclass(frozen=True)
class UnitRow(TrackCounts):
    name: str


@dataclass(frozen=True)
class MonthRow:
    month: date
    opened: int
    admitted: int
    ended: int


@dataclass(frozen=True)
class Overview:
    statuses: list[StatusRow]
    units: list[UnitRow]
    months: list[MonthRow]
    open_warnings: int

    @property
    def total(self) -> int:
        return sum(row.total for row in self.statuses)

    @property
    def open_total(self) -> int:
        return sum(row.total for row in self.statuses if row.is_open)

    def counts(self) -> tuple[object, ...]:
        """Every count, with its unit name or month, as plain values (the labels follow from
        the language): what a page made of this overview is a function of."""
        return (
            tuple((row.liberty, row.custody) for row in self.statuses),
            tuple((row.name, row.liberty, row.custody) for row in self.units),
            tuple((row.month, row.opened, row.admitted, row.ended) for row in self.months),
            self.open_warnings,
        )


def _month_starts(today: date, count: int) -> list[date]:
    """Return the first days of the last ``count`` months, oldest first, this month last."""
    year, month = today.year, today.month
    starts: list[date] = []
    for _ in range(count):
        starts.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return starts[::-1]


def national_overview(today: date | None = None, *, months_shown: int = MONTHS_SHOWN) -> Overview:
    """Return the counts for the national overview (four small queries): ``months_shown`` months
    up to and including this one."""
    today = today or timezone.localdate()
    by_status: dict[tuple[str, str], int] = {
        (status, track): n
        for status, track, n in CaseCount.objects.values("status", "track")
        .annotate(total=Sum("n"))
        .values_list("status", "track", "total")
    }
    statuses = [
        StatusRow(
            label=status.label,
            is_open=status in OPEN_STATUSES,
            liberty=by_status.get((status.value, Track.LIBERTY.value), 0),
            custody=by_status.get((status.value, Track.CUSTODY.value), 0),
        )
        for status in CaseStatus
    ]
    open_by_unit: dict[str, dict[str, int]] = {}
    for name, track, n in (
        CaseCount.objects.filter(status__in=sorted(OPEN_STATUSES), n__gt=0)
        .values("unit__name", "track")
        .annotate(total=Sum("n"))
        .values_list("unit__name", "track", "total")
    ):
        open_by_unit.setdefault(name, {})[track] = n
    units = [
        UnitRow(
            name=name,
            liberty=counts.get(Track.LIBERTY.value, 0),
            custody=counts.get(Track.CUSTODY.value, 0),
        )
        for name, counts in sorted(open_by_unit.items())
    ]
    starts = _month_starts(today, months_shown)
    by_month: dict[tuple[date, str], int] = {}
    for month, event, n in (
        MonthCount.objects.filter(month__gte=starts[0], month__lte=starts[-1])
        .values("month", "event")
        .annotate(total=Sum("n"))
        .values_list("month", "event", "total")
    ):
        by_month[(month, event)] = n
    months = [
        MonthRow(
            month=start,
            opened=by_month.get((start, MonthEvent.OPENED.value), 0),
            admitted=by_month.get((start, MonthEvent.ADMITTED.value), 0),
            ended=by_month.get((start, MonthEvent.ENDED.value), 0),
        )
        for start in starts
    ]
    warnings = Tally.objects.filter(name=OPEN_EARLY_WARNINGS).values_list("n", flat=True).first()
    return Overview(statuses=statuses, units=units, months=months, open_warnings=warnings or 0)
