"""The harmonisation dashboard: the national picture across units, read from the figures.

One query reads every figure of the period (``DashboardCount``: a few thousand rows at most,
whatever the number of cases), and one more the outcomes after the course of the last
``COHORT_YEARS`` years by the year the course ended; everything else is arithmetic here. Every count is released
as a table of units by categories through disclosure control (``release_tables``): a unit
sees its own row and the national row of the same protected table, so nothing it sees can
be worked out to a count of 1-4 that the table hides. Medians, percentiles and averages over
fewer than five persons are not shown.

Counts are of events in the period (a case admitted in the period, a refusal decided in it),
under the unit responsible for the case now.
"""

from __future__ import annotations

import calendar
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from django.db import connections
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vejud.cases.models import CaseStatus
from vejud.courses.models import ClosureReason
from vejud.decisions.models import RefusalGround
from vejud.followup.models import WarningReason
from vejud.intake.models import InquirySource
from vejud.organisations.models import Unit
from vejud.outcomes.services import outcome_points
from vejud.pool.models import Category, CategoryFrame
from vejud.statistics.disclosure import (
    MIN_SHOWN,
    Equation,
    ProtectedTable,
    TableSpec,
    release_figures,
    release_tables,
)
from vejud.statistics.figures import MONTH_BUCKETS, OUTCOME_MEASURES, OVER_MONTHS, REVIEW_MEASURES
from vejud.statistics.models import DashboardCount, Grain

# A unit is marked where its refusal share differs from the national one by this many
# percentage points or more, or its median time in assessment is this factor or more
# above or below the national one; only with enough decisions or assessments to compare.
OUTLIER_SHARE_POINTS = 15
OUTLIER_TIME_FACTOR = 1.5
OUTLIER_MINIMUM = 10

STAGES: tuple[tuple[str, Promise], ...] = (
    (CaseStatus.INQUIRY.value, _("Inquiry")),
    (CaseStatus.ASSESSMENT.value, _("Assessment")),
    (CaseStatus.REFERRED.value, _("Referred for final decision")),
    (CaseStatus.ADMITTED.value, _("Exit course")),
)

FUNNEL: tuple[tuple[str, Promise], ...] = (
    ("inquiries", _("Inquiries")),
    ("assessed", _("Assessment started")),
    ("decided", _("Decided by the unit")),
    ("admitted", _("Exit course started")),
    ("completed", _("Exit course completed")),
)
DROPOUT: tuple[tuple[str, Promise], ...] = (
    ("withdrawn_inquiry", _("Withdrawn at inquiry")),
    ("left_assessment", _("Withdrawn or dropped in assessment")),
    ("refused", _("Refused by the unit")),
    ("upheld", _("Refusal upheld")),
    ("ended_course", _("Course ended without completion")),
)
MEASURE_LABELS: dict[str, Promise] = {
    "motivation_level": _("Motivation (1-5)"),
    "crime_stopped": _("Crime stopped"),
    "environment_left": _("Environment left"),
    "lifestyle_changed": _("Lifestyle changed"),
    "custody_behaviour": _("Behaviour in custody"),
}


@dataclass(frozen=True)
class Period:
    """A calendar year or quarter."""

    grain: str
    start: date

    @property
    def end(self) -> date:
        months = 12 if self.grain == Grain.YEAR else 3
        month = self.start.month + months - 1
        return date(self.start.year, month, calendar.monthrange(self.start.year, month)[1])

    @property
    def value(self) -> str:
        if self.grain == Grain.YEAR:
            return str(self.start.year)
        return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ")

    @classmethod
    def parse(cls, value: str) -> Period | None:
        """The period written as ``2026`` or ``2026-Q3``; None for anything else."""
        year, _sep, quarter = value.partition("-Q")
        if not (year.isascii() and year.isdigit() and len(year) == 4):
            return None
        if not quarter:
            return cls(Grain.YEAR.value, date(int(year), 1, 1))
        if quarter not in {"1", "2", "3", "4"}:
            return None
        return cls(Grain.QUARTER.value, date(int(year), 3 * (int(quarter) - 1) + 1, 1))

    @classmethod
    def choices(cls, today: date, years: int = 5) -> list[Period]:
        """This year and the ``years`` - 1 before it, each followed by its quarters so far."""
        periods: list[Period] = []
        for year in range(today.year, today.year - years, -1):
            periods.append(cls(Grain.YEAR.value, date(year, 1, 1)))
            last = (today.month - 1) // 3 + 1 if year == today.year else 4
            periods += [
                cls(Grain.QUARTER.value, date(year, 3 * (q - 1) + 1, 1)) for q in range(last, 0, -1)
            ]
        return periods


@dataclass
class Tally:
    """Counts and sums by (figure, detail)."""

    n: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    total: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))

    def add(self, figure: str, detail: str, n: int, total: int) -> None:
        self.n[(figure, detail)] += n
        self.total[(figure, detail)] += total

    def count(self, figure: str, detail: str | None = None) -> int:
        if detail is not None:
            return self.n.get((figure, detail), 0)
        return sum(n for (f, _d), n in self.n.items() if f == figure)

    def moved(self, *, source: str | None = None, target: str | None = None) -> int:
        return sum(
            n
            for (figure, detail), n in self.n.items()
            if figure == "moved"
            and (source is None or detail.split(">")[0] == source)
            and (target is None or detail.split(">")[1] == target)
        )

    def histogram(self, figure: str, prefix: str) -> tuple[list[tuple[int, int]], int]:
        """The (bucket, n) pairs of ``figure`` whose detail is ``prefix:bucket``, and the sum."""
        pairs, total = [], 0
        for (f, detail), n in self.n.items():
            head, _sep, bucket = detail.rpartition(":")
            if f == figure and head == prefix and n:
                pairs.append((int(bucket), n))
                total += self.total[(f, detail)]
        return sorted(pairs), total


def percentile(pairs: Sequence[tuple[int, int]], share: float) -> int | None:
    """The bucket that holds the ``share`` quantile of a histogram (None when empty)."""
    n = sum(count for _bucket, count in pairs)
    if not n:
        return None
    rank, seen = share * n, 0
    for bucket, count in pairs:
        seen += count
        if seen >= rank:
            return bucket
    return pairs[-1][0]


@dataclass(frozen=True)
class StageTime:
    stage: str
    label: Promise
    n: int
    median: int | None  # None: fewer than five, not shown
    p80: int | None
    mean: float | None

    @property
    def shown(self) -> bool:
        return self.median is not None


def stage_time(tally: Tally, stage: str, label: Promise) -> StageTime:
    pairs, days = tally.histogram("days", stage)
    n = sum(count for _bucket, count in pairs)
    if n < MIN_SHOWN:
        return StageTime(stage, label, n, None, None, None)
    return StageTime(
        stage, label, n, percentile(pairs, 0.5), percentile(pairs, 0.8), round(days / n, 1)
    )


def funnel_counts(tally: Tally) -> list[int]:
    return [
        tally.count("inflow"),
        tally.moved(target=CaseStatus.ASSESSMENT),
        tally.count("decision", "unit:admit") + tally.count("decision", "unit:refuse"),
        tally.moved(target=CaseStatus.ADMITTED),
        tally.count("closure", ClosureReason.COMPLETED),
    ]


def dropout_counts(tally: Tally) -> list[int]:
    return [
        tally.moved(source=CaseStatus.INQUIRY, target=CaseStatus.WITHDRAWN),
        tally.moved(source=CaseStatus.ASSESSMENT, target=CaseStatus.WITHDRAWN)
        + tally.moved(source=CaseStatus.ASSESSMENT, target=CaseStatus.DROPPED),
        tally.count("decision", "unit:refuse"),
        tally.count("decision", "final:uphold"),
        tally.count("closure") - tally.count("closure", ClosureReason.COMPLETED),
    ]


def decision_counts(tally: Tally) -> list[int]:
    """Admitted, refused, each ground, referred, upheld, overturned."""
    return [
        tally.count("decision", "unit:admit"),
        tally.count("decision", "unit:refuse"),
        *(tally.count("ground", ground.value) for ground in RefusalGround),
        tally.moved(source=CaseStatus.REFUSED, target=CaseStatus.REFERRED),
        tally.count("decision", "final:uphold"),
        tally.count("decision", "final:overturn"),
    ]


DECISION_COLUMNS: list[tuple[str, Promise]] = [
    ("admitted", _("Admitted")),
    ("refused", _("Refused")),
    *((f"ground:{ground.value}", ground.label) for ground in RefusalGround),
    ("referred", _("Referred")),
    ("upheld", _("Upheld")),
    ("overturned", _("Overturned")),
]


def month_label(bucket: int) -> str:
    if bucket == OVER_MONTHS:
        return str(_("%(n)s months or more") % {"n": MONTH_BUCKETS[-1]})
    lower = max((b for b in MONTH_BUCKETS if b < bucket), default=0)
    return str(_("%(a)s-%(b)s months") % {"a": lower, "b": bucket})


MONTH_KEYS = [*MONTH_BUCKETS, OVER_MONTHS]


def closure_counts(tally: Tally) -> list[list[int]]:
    """Closures by reason (rows) and months into the course (columns)."""
    return [
        [tally.count("closure_at", f"{reason.value}:{bucket}") for bucket in MONTH_KEYS]
        for reason in ClosureReason
    ]


@dataclass(frozen=True)
class MeasureRow:
    label: Promise
    means: list[float | None]  # per month bucket; None under five reviews


def review_means(tally: Tally) -> list[MeasureRow]:
    rows = []
    for measure in REVIEW_MEASURES:
        means: list[float | None] = []
        for bucket in MONTH_KEYS:
            n = tally.count(f"r_{measure}", str(bucket))
            total = tally.total.get((f"r_{measure}", str(bucket)), 0)
            means.append(round(total / n, 1) if n >= MIN_SHOWN else None)
        rows.append(MeasureRow(MEASURE_LABELS[measure], means))
    return rows


@dataclass(frozen=True)
class Mean:
    n: int
    value: float | None  # None under five


def mean_of(tally: Tally, figure: str) -> Mean:
    n = tally.count(figure)
    total = sum(v for (f, _d), v in tally.total.items() if f == figure)
    return Mean(n, round(total / n, 1) if n >= MIN_SHOWN else None)


COHORT_YEARS = 5
# The figures of a cohort and point: followed up, and each measure answered yes or otherwise
# (the page shows followed up and the yes counts; the rest are in the equations).
COHORT_FIGURES = ("followed", *(f"{m}:{a}" for m in OUTCOME_MEASURES for a in ("yes", "other")))


@dataclass(frozen=True)
class CohortCell:
    """One cohort at one point: followed up, re-registered, new charges (None: hidden)."""

    months: int
    followed: int | None
    reregistered: int | None
    new_charges: int | None


@dataclass(frozen=True)
class CohortRow:
    year: int
    cells: list[CohortCell]


@dataclass(frozen=True)
class Cohorts:
    """Outcomes after the course by the year the course ended (all units), released as one
    system: at each point, followed up = yes + other for each measure."""

    points: list[int]
    rows: list[CohortRow]
    hidden: int


def _cohort_counts(years: list[int], track: str) -> dict[str, int]:
    """The outcome figures of the cohorts by name ``year|months|figure``: one query."""
    rows = DashboardCount.objects.filter(
        grain=Grain.YEAR, period__in=[date(y, 1, 1) for y in years], figure="outcome"
    )
    if track:
        rows = rows.filter(track=track)
    counts: dict[str, int] = defaultdict(int)
    for period, detail, n in (
        rows.values("period", "detail")
        .annotate(sum_n=Sum("n"))
        .values_list("period", "detail", "sum_n")
        .order_by()
    ):
        counts[f"{period.year}|{detail}"] += n
    return counts


def cohort_years(today: date) -> list[int]:
    return list(range(today.year - COHORT_YEARS + 1, today.year + 1))


def cohorts(today: date, track: str = "", counts: dict[str, int] | None = None) -> Cohorts:
    """Release the outcomes by cohort (the last ``COHORT_YEARS`` years) through disclosure
    control: cells of 1-4 hidden, and as many more as keep them hidden through the equations.
    ``counts``: the cohorts' figures read already (``_cohort_counts``)."""
    years = cohort_years(today)
    points = list(outcome_points())
    if counts is None:
        counts = _cohort_counts(years, track)
    figures = {
        f"{y}|{m}|{f}": counts.get(f"{y}|{m}:{f}", 0)
        for y in years
        for m in points
        for f in COHORT_FIGURES
    }
    equations: list[Equation] = [
        [(f"{y}|{m}|followed", 1), (f"{y}|{m}|{measure}:yes", -1), (f"{y}|{m}|{measure}:other", -1)]
        for y in years
        for m in points
        for measure in OUTCOME_MEASURES
    ]
    hidden = release_figures(
        f"dashboard.outcomes.{track or 'all'}",
        figures,
        equations,
        period=(date(years[0], 1, 1), date(years[-1], 12, 31)),
    )

    def shown(name: str) -> int | None:
        return None if name in hidden else figures[name]

    rows = [
        CohortRow(
            y,
            [
                CohortCell(
                    m,
                    shown(f"{y}|{m}|followed"),
                    shown(f"{y}|{m}|reregistered:yes"),
                    shown(f"{y}|{m}|new_charges:yes"),
                )
                for m in points
            ],
        )
        for y in reversed(years)
    ]
    shown_names = {
        f"{y}|{m}|{f}"
        for y in years
        for m in points
        for f in ("followed", *(f"{x}:yes" for x in OUTCOME_MEASURES))
    }
    return Cohorts(points, rows, len(hidden & shown_names))


@dataclass(frozen=True)
class Outlier:
    unit: str
    figure: Promise
    unit_value: str
    national_value: str
    basis: int  # the unit's number of decisions or assessments behind it


@dataclass(frozen=True)
class Selection:
    """What the page shows: all units (``chosen`` None) or some, on one track or both."""

    chosen: frozenset[int] | None
    track: str = ""


@dataclass(frozen=True)
class PoolRow:
    label: str
    own: int | None
    national: int | None
    granted: int | None  # kroner; None: fewer than five grants
    frame: int | None
    committed: int | None


@dataclass
class Dashboard:
    period: Period
    scope: Selection
    units: list[Unit]  # the rows of the unit tables, by name
    compare_units: bool  # the per-unit comparison is shown (all units in reach)
    inflow: ProtectedTable
    funnel: ProtectedTable
    dropout: ProtectedTable
    decisions: ProtectedTable
    closures: ProtectedTable
    closure_timing: ProtectedTable | None  # national scope only
    warnings: ProtectedTable
    grants: ProtectedTable
    stage_times: list[StageTime]
    national_stage_times: list[StageTime]
    reviews: list[MeasureRow]
    national_reviews: list[MeasureRow]
    warning_days: Mean
    advice_hours: Mean
    national_advice_hours: Mean
    granted_ore: dict[str, int | None]
    frames: dict[str, tuple[int, int]]  # category: (frame, committed) of the year, in øre
    outliers: list[Outlier]
    cohorts: Cohorts

    @property
    def hidden(self) -> int:
        tables = (
            self.inflow,
            self.funnel,
            self.dropout,
            self.decisions,
            self.closures,
            self.warnings,
            self.grants,
            *([self.closure_timing] if self.closure_timing else []),
        )
        return sum(table.hidden for table in tables) + self.cohorts.hidden

    @property
    def selection_label(self) -> str:
        """What the scope's column is headed: the unit's name, or "the units chosen"."""
        if len(self.units) == 1:
            return self.units[0].name
        return str(_("The units chosen"))

    @property
    def month_labels(self) -> list[str]:
        return [month_label(bucket) for bucket in MONTH_KEYS]

    @property
    def advice_answered(self) -> int | None:
        n = self.advice_hours.n
        return n if n == 0 or n >= MIN_SHOWN else None

    def pool_rows(self) -> list[PoolRow]:
        """Grants per category: the scope's and the national count, the scope's amount and
        the year's frame, in kroner."""
        rows = []
        for (label, own, national), category in zip(self.compared["grants"], Category, strict=True):
            granted = self.granted_ore.get(category.value)
            frame, committed = self.frames.get(category.value, (None, None))
            rows.append(
                PoolRow(
                    label=label,
                    own=own,
                    national=national,
                    granted=None if granted is None else granted // 100,
                    frame=None if frame is None else frame // 100,
                    committed=None if committed is None else committed // 100,
                )
            )
        return rows

    def scope_row(self, table: ProtectedTable) -> list[int | None]:
        """The scope's figures of a units table: the national totals, or the sum of the rows
        in scope (hidden where any of them is hidden)."""
        if self.scope.chosen is None:
            return table.column_totals
        sums: list[int | None] = [0] * len(table.columns)
        for cells in table.cells:
            sums = [
                None if total is None or n is None else total + n
                for total, n in zip(sums, cells, strict=True)
            ]
        return sums

    @cached_property
    def compared(self) -> dict[str, list[tuple[str, int | None, int | None]]]:
        """Each units table as (label, the scope's figure, the national figure) rows."""
        tables = {
            "inflow": self.inflow,
            "funnel": self.funnel,
            "dropout": self.dropout,
            "decisions": self.decisions,
            "closures": self.closures,
            "warnings": self.warnings,
            "grants": self.grants,
        }
        return {
            name: list(zip(table.columns, self.scope_row(table), table.column_totals, strict=True))
            for name, table in tables.items()
        }


def _rows(period: Period, track: str) -> QuerySet[DashboardCount, tuple[int, str, str, int, int]]:
    """The period's figures by unit (both tracks summed, or one track and the figures that
    have none), summed by the database: one query."""
    rows = DashboardCount.objects.filter(grain=period.grain, period=period.start)
    if track:
        rows = rows.filter(track__in=[track, ""])
    return (
        rows.values("unit_id", "figure", "detail")
        .annotate(sum_n=Sum("n"), sum_total=Sum("total"))
        .values_list("unit_id", "figure", "detail", "sum_n", "sum_total")
        .order_by()
    )


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _outliers(units: Sequence[Unit], by_unit: dict[int, Tally], national: Tally) -> list[Outlier]:
    marks: list[Outlier] = []
    admitted, refused = (
        national.count("decision", "unit:admit"),
        national.count("decision", "unit:refuse"),
    )
    national_share = _share(refused, admitted + refused)
    national_time = stage_time(national, CaseStatus.ASSESSMENT, _("Assessment"))
    for unit in units:
        tally = by_unit.get(unit.pk, Tally())
        a, r = tally.count("decision", "unit:admit"), tally.count("decision", "unit:refuse")
        share = _share(r, a + r)
        if (
            share is not None
            and national_share is not None
            and a + r >= OUTLIER_MINIMUM
            and abs(share - national_share) >= OUTLIER_SHARE_POINTS
        ):
            marks.append(
                Outlier(unit.name, _("Refusal share"), f"{share} %", f"{national_share} %", a + r)
            )
        own = stage_time(tally, CaseStatus.ASSESSMENT, _("Assessment"))
        if (
            own.median is not None
            and national_time.median
            and own.n >= OUTLIER_MINIMUM
            and (
                own.median >= OUTLIER_TIME_FACTOR * national_time.median
                or own.median * OUTLIER_TIME_FACTOR <= national_time.median
            )
        ):
            marks.append(
                Outlier(
                    unit.name,
                    _("Median days in assessment"),
                    str(own.median),
                    str(national_time.median),
                    own.n,
                )
            )
    return marks


@dataclass(frozen=True)
class Figures:
    """Everything the dashboard of one period and track is computed from, read in four small
    queries whatever the number of cases. The same figures give the same dashboard (and the
    same releases), so a page can be kept by the digest of its figures.

    The period's rows (about 1,500 for a year at 10,000 cases) are read only when a page is
    made (``rows``); the digest asks the database for the digest of those rows instead, so a
    kept page costs no converting and hashing of them (``rows_digest``)."""

    today: date
    period: Period
    track: str
    units: tuple[tuple[int, str, str], ...]  # id, name, code
    cohort_counts: tuple[tuple[str, int], ...]
    frames: tuple[tuple[str, tuple[int, int]], ...]

    @cached_property
    def rows(self) -> tuple[tuple[int, str, str, int, int], ...]:
        return tuple(sorted(_rows(self.period, self.track)))

    @cached_property
    def digest(self) -> str:
        parts = (self.today, rows_digest(self.period, self.track), self.units)
        return hashlib.sha256(repr((*parts, self.cohort_counts, self.frames)).encode()).hexdigest()


def rows_digest(period: Period, track: str) -> str:
    """A digest of the period's rows (``_rows``) that changes whenever one of them does.

    PostgreSQL computes it from a 64-bit hash of each row as text (their count, sum and
    exclusive or: no order needed, so no sort), so the rows are not sent and converted;
    elsewhere it is the digest of the rows read. (A row that changes between the digest and
    the read of the rows, when a page is made, leaves that page under the digest of the rows
    before the change: a later view finds it only if every row is back at those values.)
    """
    rows = _rows(period, track)
    connection = connections[rows.db]
    if connection.vendor != "postgresql":
        return hashlib.sha256(repr(tuple(sorted(rows))).encode()).hexdigest()
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        # The ORM's own query inside; its values are passed as parameters.
        hashed = f"SELECT hashtextextended(r::text, 0) AS h FROM ({sql}) AS r"  # noqa: S608
        cursor.execute(f"SELECT count(*), sum(h), bit_xor(h) FROM ({hashed}) AS hashed", params)  # noqa: S608
        count, total, either = cursor.fetchone()
    return f"{count}:{total}:{either}"


def read_figures(period: Period, track: str, today: date | None = None) -> Figures:
    """Read the figures of ``period`` and ``track`` (``today``: the cohorts' last year)."""
    today = today or timezone.localdate()
    return Figures(
        today=today,
        period=period,
        track=track,
        units=tuple(Unit.objects.order_by("pk").values_list("id", "name", "code")),
        cohort_counts=tuple(sorted(_cohort_counts(cohort_years(today), track).items())),
        frames=tuple(sorted(_frames(period.start.year).items())),
    )


def dashboard(
    period: Period, scope: Selection, *, compare_units: bool, figures: Figures | None = None
) -> Dashboard:
    """Return the dashboard of ``period`` for ``scope`` (the access module decides the scope);
    ``compare_units`` shows the units in scope side by side (otherwise their sum).
    ``figures``: read already by ``read_figures`` (otherwise read here)."""
    figures = figures or read_figures(period, scope.track)
    by_unit: dict[int, Tally] = defaultdict(Tally)
    national = Tally()
    for unit_id, figure, detail, n, total in figures.rows:
        by_unit[unit_id].add(figure, detail, n, total)
        national.add(figure, detail, n, total)
    known = {pk: Unit(pk=pk, name=name, code=code) for pk, name, code in figures.units}
    in_scope = [
        known[pk] for pk in (by_unit if scope.chosen is None else scope.chosen) if pk in known
    ]
    units = sorted(in_scope, key=lambda unit: unit.name)
    # Every table is released over all the units with figures (the same table whoever looks),
    # and the page shows the rows in scope with the national totals.
    everyone = sorted((known[pk] for pk in by_unit if pk in known), key=lambda u: u.name)
    keys = [unit.code for unit in everyone]
    names = [unit.name for unit in everyone]
    suffix = f".{scope.track or 'all'}"

    def spec(key: str, columns: list[str], labels: list[str], values: list[list[int]]) -> TableSpec:
        return TableSpec(f"dashboard.{key}{suffix}", values, keys, columns, names, labels)

    def per_unit(figures: object) -> list[list[int]]:
        return [figures(by_unit.get(unit.pk, Tally())) for unit in everyone]  # type: ignore[operator]

    def labelled(key: str, pairs: Sequence[tuple[str, Any]], figures: object) -> TableSpec:
        """A table whose columns are (key, label) pairs, e.g. FUNNEL."""
        columns = [column for column, _label in pairs]
        return spec(key, columns, [str(label) for _key, label in pairs], per_unit(figures))

    def by_choice(key: str, choices: Sequence[Any], figure: str) -> TableSpec:
        """A table with a column per choice, counting ``figure`` by the choice's value."""
        return spec(
            key,
            [c.value for c in choices],
            [str(c.label) for c in choices],
            per_unit(lambda t: [t.count(figure, c.value) for c in choices]),
        )

    sources = list(InquirySource)
    reasons = list(WarningReason)
    categories = list(Category)
    closure_reasons = list(ClosureReason)
    specs = [
        spec(
            "inflow",
            [*(s.value for s in sources), "none"],
            [*(str(s.label) for s in sources), str(_("Not recorded"))],
            per_unit(
                lambda t: [*(t.count("inflow", s.value) for s in sources), t.count("inflow", "")]
            ),
        ),
        labelled("funnel", FUNNEL, funnel_counts),
        labelled("dropout", DROPOUT, dropout_counts),
        labelled("decisions", DECISION_COLUMNS, decision_counts),
        spec(
            "warnings",
            [f"raised:{r.value}" for r in reasons] + [f"resolved:{r.value}" for r in reasons],
            [str(_("Raised: %(reason)s") % {"reason": r.label}) for r in reasons]
            + [str(_("Resolved: %(reason)s") % {"reason": r.label}) for r in reasons],
            per_unit(
                lambda t: (
                    [t.count("warning", r.value) for r in reasons]
                    + [t.count("warning_resolved", r.value) for r in reasons]
                )
            ),
        ),
        by_choice("grants", categories, "granted"),
        by_choice("closures", closure_reasons, "closure"),
    ]
    scoped = _scoped(by_unit, national, scope)
    timing_shown = scope.chosen is None  # by month of the course: the national table only
    if timing_shown:
        specs.append(
            TableSpec(
                f"dashboard.closure_timing{suffix}",
                closure_counts(national),
                [r.value for r in closure_reasons],
                [str(bucket) for bucket in MONTH_KEYS],
                [str(r.label) for r in closure_reasons],
                [month_label(bucket) for bucket in MONTH_KEYS],
            )
        )
    released = release_tables(specs, period=(period.start, period.end))
    inflow, funnel, dropout, decisions, warnings, grants, closures = (
        _only(table, everyone, units) for table in released[:7]
    )
    timing = released[7] if timing_shown else None
    granted_ore = {
        c.value: (
            scoped.total.get(("granted", c.value), 0)
            if scoped.count("granted", c.value) >= MIN_SHOWN
            else None
        )
        for c in categories
    }
    return Dashboard(
        period=period,
        scope=scope,
        units=units,
        compare_units=compare_units,
        inflow=inflow,
        funnel=funnel,
        dropout=dropout,
        decisions=decisions,
        closures=closures,
        closure_timing=timing,
        warnings=warnings,
        grants=grants,
        stage_times=[stage_time(scoped, stage, label) for stage, label in STAGES],
        national_stage_times=[stage_time(national, stage, label) for stage, label in STAGES],
        reviews=review_means(scoped),
        national_reviews=review_means(national),
        warning_days=mean_of(scoped, "warning_resolved"),
        advice_hours=mean_of(scoped, "advice_answered"),
        national_advice_hours=mean_of(national, "advice_answered"),
        granted_ore=granted_ore,
        frames=dict(figures.frames),
        outliers=_outliers(units, by_unit, national) if compare_units else [],
        cohorts=cohorts(figures.today, scope.track, dict(figures.cohort_counts)),
    )


def _frames(year: int) -> dict[str, tuple[int, int]]:
    """The pool's category frames of ``year`` (the guidelines' money), by category."""
    return {
        category: (budget, committed)
        for category, budget, committed in CategoryFrame.objects.filter(
            budget_year__year=year
        ).values_list("category", "budget_ore", "committed_ore")
    }


def _scoped(by_unit: dict[int, Tally], national: Tally, scope: Selection) -> Tally:
    if scope.chosen is None:
        return national
    tally = Tally()
    for unit_id in scope.chosen:
        own = by_unit.get(unit_id)
        if own is not None:
            for key, n in own.n.items():
                tally.add(*key, n, own.total[key])
    return tally


def _only(table: ProtectedTable, everyone: list[Unit], shown: list[Unit]) -> ProtectedTable:
    """The table with only the rows of ``shown`` (the totals stay the national ones)."""
    index = {unit.pk: i for i, unit in enumerate(everyone)}
    keep = [index[unit.pk] for unit in shown if unit.pk in index]
    return ProtectedTable(
        rows=[table.rows[i] for i in keep],
        columns=table.columns,
        cells=[table.cells[i] for i in keep],
        row_totals=[table.row_totals[i] for i in keep],
        column_totals=table.column_totals,
        total=table.total,
        hidden=table.hidden,
    )


def default_period(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(Grain.YEAR.value, date(today.year, 1, 1))
