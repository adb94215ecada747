"""The national overview as released: the counters' true figures through disclosure control.

The status table and the table of open cases by unit are linked: the open statuses of the
first sum, per track, to the totals of the second (the same figures, ``open:<track>``). They
are protected as one system of equations, so nothing hidden in one can be worked out from the
other. They count cases as they stand today and are released for today; the months table
counts the last twelve completed months and is released for them. The open early warnings are
one figure, hidden at 1-4.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from vejud.cases.models import CaseStatus, Track
from vejud.statistics.disclosure import (
    Equation,
    ProtectedTable,
    grid_equations,
    release_figures,
    table_from,
)
from vejud.statistics.selectors import MONTHS_SHOWN, Overview, national_overview

TRACKS = [Track.LIBERTY.value, Track.CUSTODY.value]


@dataclass(frozen=True)
class PublishedOverview:
    statuses: ProtectedTable  # rows: status labels; columns: track labels
    units: ProtectedTable  # open cases by unit
    months: ProtectedTable  # completed months
    open_warnings: int | None
    hidden: int


def _named(prefix: str, rows: list[str], columns: list[str]) -> Callable[[int, int], str]:
    keys = [*rows, ""], [*columns, ""]
    return lambda i, j: f"{prefix}:{keys[0][i]}|{keys[1][j]}"


def _grid(values: list[list[int]], width: int) -> list[list[int]]:
    """The rows with their totals, then the column totals (``width`` columns, also without rows)."""
    grid = [[*row, sum(row)] for row in values]
    return [*grid, [sum(row[j] for row in grid) for j in range(width + 1)]]


def _cases_today(overview: Overview, today: date) -> tuple[ProtectedTable, ProtectedTable]:
    statuses = overview.statuses
    status_keys = [status.value for status in CaseStatus]
    status_grid = _grid([[row.liberty, row.custody] for row in statuses], 2)
    unit_keys = [row.name for row in overview.units]
    unit_grid = _grid([[row.liberty, row.custody] for row in overview.units], 2)
    by_status = _named("status", status_keys, TRACKS)
    by_unit_cell = _named("unit", unit_keys, TRACKS)
    tracks = [*TRACKS, ""]

    def by_unit(i: int, j: int) -> str:  # the unit table's totals are the open subtotals
        return f"open:{tracks[j]}" if i == len(unit_keys) else by_unit_cell(i, j)

    figures = {
        by_status(i, j): status_grid[i][j]
        for i in range(len(status_keys) + 1)
        for j in range(len(tracks))
    }
    figures |= {
        by_unit(i, j): unit_grid[i][j]
        for i in range(len(unit_keys) + 1)
        for j in range(len(tracks))
    }
    open_rows = [i for i, row in enumerate(statuses) if row.is_open]
    equations: list[Equation] = grid_equations(len(status_keys), len(TRACKS), by_status)
    equations += grid_equations(len(unit_keys), len(TRACKS), by_unit)
    equations += [
        [*((by_status(i, j), 1) for i in open_rows), (f"open:{tracks[j]}", -1)]
        for j in range(len(tracks))
    ]
    hidden = release_figures("overview.cases", figures, equations, period=(today, today))
    labels = [str(row.label) for row in statuses]
    track_labels = [str(Track.LIBERTY.label), str(Track.CUSTODY.label)]
    return (
        table_from(status_grid, set(hidden), by_status, labels, track_labels),
        table_from(unit_grid, set(hidden), by_unit, unit_keys, track_labels),
    )


def _months(overview: Overview, today: date) -> ProtectedTable:
    completed = [row for row in overview.months if row.month < today.replace(day=1)]
    keys = [f"{row.month:%Y-%m}" for row in completed]
    events = ["opened", "admitted", "ended"]
    grid = _grid([[row.opened, row.admitted, row.ended] for row in completed], 3)
    name = _named("month", keys, events)
    figures = {name(i, j): grid[i][j] for i in range(len(keys) + 1) for j in range(len(events) + 1)}
    first = completed[0].month if completed else today.replace(day=1)
    last = completed[-1].month if completed else first
    end = last.replace(day=calendar.monthrange(last.year, last.month)[1])
    hidden = release_figures(
        "overview.months",
        figures,
        grid_equations(len(keys), len(events), name),
        period=(first, end),
    )
    labels = [formats.date_format(row.month, "YEAR_MONTH_FORMAT") for row in completed]
    headings = [
        str(_("Inquiries (cases opened)")),
        str(_("Admissions (exit course started)")),
        str(_("Cases ended")),
    ]
    return table_from(grid, set(hidden), name, labels, headings)


def overview_figures(today: date) -> Overview:
    """The counts the published overview is made of (``national_overview``, four small
    queries): the completed months shown, and this one."""
    return national_overview(today, months_shown=MONTHS_SHOWN + 1)


def published_overview(
    today: date | None = None, overview: Overview | None = None
) -> PublishedOverview:
    """Return the overview as it may be shown: no figure of 1-4, none derivable; from
    ``overview`` as ``overview_figures`` read it, or read here."""
    today = today or timezone.localdate()
    if overview is None:
        overview = overview_figures(today)
    statuses, units = _cases_today(overview, today)
    months = _months(overview, today)
    warnings = overview.open_warnings
    return PublishedOverview(
        statuses=statuses,
        units=units,
        months=months,
        open_warnings=warnings if warnings == 0 or warnings >= 5 else None,
        hidden=statuses.hidden + units.hidden + months.hidden,
    )
