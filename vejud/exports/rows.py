"""What an export holds, as a header and a stream of rows.

- ``case_rows``: one row per case the requester may see, anonymised: no name, CPR number,
  case reference or free text; the unit, district, track and status, months instead of
  dates, and the days between the stages. Read in pages by primary key (one query per page,
  whatever the number of cases), never the whole result at once.
- ``dashboard_rows``: every figure of the dashboard's tables as it is released (a hidden
  figure is empty with "hidden" beside it), in long form: table, row, column, value.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vejud.cases.models import Case, CaseStatus, Track
from vejud.courses.models import CaseClosure, ClosureReason
from vejud.organisations.models import Unit
from vejud.statistics.dashboard import MONTH_KEYS, Dashboard, month_label
from vejud.statistics.disclosure import ProtectedTable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

PAGE = 10_000
Cell = str | int | float | None


@dataclass(frozen=True)
class Rows:
    header: list[str]
    total: int
    rows: Iterator[Sequence[Cell]]
    # True when every text cell is made safe where it is made (from a few labels, each
    # neutralised once), so the writer need not look at each cell again.
    neutral: bool = False


class _Months(dict[date, str]):
    """A date's "YYYY-MM", each month formatted once (the rows repeat a few hundred months)."""

    def __missing__(self, day: date) -> str:
        self[day] = text = f"{day.year:04d}-{day.month:02d}"
        return text


def _days(start: date | None, end: date | None) -> int | None:
    return (end - start).days if start and end else None


def neutralise(value: Cell) -> Cell:
    """``value`` as a cell no spreadsheet runs as a formula: text that starts like one (=, +,
    -, @, a tab or a carriage return) gets a leading apostrophe (OWASP's advice)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


CASE_FIELDS = (
    "pk",
    "responsible_unit_id",
    "track",
    "status",
    "opened_on",
    "course_started_on",
    "closed_on",
)


def case_rows(cases: QuerySet[Case], *, limit: int) -> Rows:
    """Anonymised rows of ``cases`` (at most ``limit``), numbered from 1 in the order opened."""
    units = {
        unit.pk: (
            neutralise(unit.name),
            neutralise(unit.police_district.name) if unit.police_district else "",
        )
        for unit in Unit.objects.select_related("police_district")
    }
    tracks = dict(Track.choices)
    statuses = dict(CaseStatus.choices)
    reasons = dict(ClosureReason.choices)
    labels = {
        key: neutralise(str(value))
        for mapping in (tracks, statuses, reasons)
        for key, value in mapping.items()
    }
    months = _Months()
    header = [
        _("Row"),
        _("Unit"),
        _("Police district"),
        _("Track"),
        _("Status"),
        _("Opened (month)"),
        _("Course started (month)"),
        _("Closed (month)"),
        _("How the course ended"),
        _("Days from opening to course start"),
        _("Days in the course"),
    ]
    total = min(cases.count(), limit)

    def rows() -> Iterator[Sequence[Cell]]:
        number, last = 0, 0
        while number < total:
            page = list(
                cases.filter(pk__gt=last)
                .order_by("pk")
                .values_list(*CASE_FIELDS)[: min(PAGE, total - number)]
            )
            if not page:
                return
            # The closures of the page's cases: one range read on the closures' case index
            # (a join would walk the closures from the first case on every page).
            ended = dict(
                CaseClosure.objects.filter(case_id__gt=last, case_id__lte=page[-1][0]).values_list(
                    "case_id", "reason"
                )
            )
            for pk, unit, track, status, opened, started, closed in page:
                number += 1
                name, district = units.get(unit, ("", ""))
                reason = ended.get(pk)
                yield (
                    number,
                    name,
                    district,
                    labels.get(track, track),
                    labels.get(status, status),
                    months[opened] if opened else "",
                    months[started] if started else "",
                    months[closed] if closed else "",
                    labels.get(reason, "") if reason else "",
                    _days(opened, started),
                    _days(started, closed),
                )
            last = page[-1][0]

    return Rows(header=header, total=total, rows=rows(), neutral=True)


def _table_rows(title: str, table: ProtectedTable, everyone: str) -> Iterator[list[Cell]]:
    hidden, shown = _("hidden"), ""
    total_label = _("Total")
    for row, cells, row_total in table.lines():
        for column, value in zip(table.columns, cells, strict=True):
            yield [title, row, column, value, hidden if value is None else shown]
        yield [title, row, total_label, row_total, hidden if row_total is None else shown]
    for column, value in zip(table.columns, table.column_totals, strict=True):
        yield [title, everyone, column, value, hidden if value is None else shown]
    yield [title, everyone, total_label, table.total, hidden if table.total is None else shown]


def _cohort_rows(board: Dashboard) -> Iterator[list[Cell]]:
    """The outcomes by cohort: a row per year, point and measure (all units)."""
    title = _("Outcomes by cohort")
    for row in board.cohorts.rows:
        for cell in row.cells:
            for measure, value in (
                (_("Followed up"), cell.followed),
                (_("Re-registered"), cell.reregistered),
                (_("New charges"), cell.new_charges),
            ):
                column = _("%(measure)s after %(months)s months") % {
                    "measure": measure,
                    "months": cell.months,
                }
                yield [title, str(row.year), column, value, _("hidden") if value is None else ""]


def dashboard_rows(board: Dashboard) -> Rows:
    """Every figure of the dashboard ``board`` as released, one row per figure."""
    everyone = _("All units in the table")
    tables: list[tuple[str, ProtectedTable | None]] = [
        (_("Inflow by source"), board.inflow),
        (_("From inquiry to completed course"), board.funnel),
        (_("Where cases leave the way"), board.dropout),
        (_("Decisions and referrals"), board.decisions),
        (_("How courses end"), board.closures),
        (_("When in the course"), board.closure_timing),
        (_("Early warnings"), board.warnings),
        (_("Grants by category"), board.grants),
    ]
    rows: list[list[Cell]] = []
    for title, table in tables:
        if table is not None:
            rows.extend(_table_rows(title, table, everyone))
    rows.extend(_cohort_rows(board))
    for scope, times in (
        (board.selection_label, board.stage_times),
        (_("National"), board.national_stage_times),
    ):
        for time in times:
            for measure, value in (
                (_("Cases"), time.n if time.shown else None),
                (_("Median (days)"), time.median),
                (_("80th percentile (days)"), time.p80),
                (_("Average (days)"), time.mean),
            ):
                rows.append(
                    [
                        _("Time in each stage"),
                        f"{time.label} ({scope})",
                        measure,
                        value,
                        _("hidden") if value is None else "",
                    ]
                )
    months = [month_label(bucket) for bucket in MONTH_KEYS]
    for measure_row in board.reviews:
        for month, mean in zip(months, measure_row.means, strict=True):
            rows.append(
                [
                    _("Motivation and the four changes"),
                    str(measure_row.label),
                    month,
                    mean,
                    _("hidden") if mean is None else "",
                ]
            )
    header = [_("Table"), _("Row"), _("Column"), _("Figure"), _("Note")]
    return Rows(header=header, total=len(rows), rows=iter(rows))
