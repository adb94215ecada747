# ruff: noqa: S608  (the recount's SQL is assembled from this module's constants and the models' table names only; no input reaches it)
"""The harmonisation dashboard's figures, counted in the transaction of the change.

Every figure is a count (``n``) and a sum (``total``: days, a score, øre) per year and per
quarter, unit and track (``DashboardCount``). Each event that a figure counts (an inquiry, a
status change, a decision, a closure, a follow-up review, an early warning raised or resolved,
an advice request answered, a grant decided, an outcome after the course recorded) adds its deltas through this module's receivers,
in the same transaction as the change, so the counts are right at every commit whichever
service wrote it. A page reads a few thousand counter rows at most, never the history.

A case's figures are counted under the unit and track responsible for the case now: when a
transfer moves the case, its figures move with it. Advice requests count under the asking
unit and grants under the applying unit, with no track.

The same functions turn the data into deltas for ``figures_rebuild`` (a bulk load writes
rows without the receivers) and ``figures_check``, so the incremental counts and the recount
cannot mean different things.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from django.db import connection, transaction
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from vejud.advice.models import AdviceRequest
from vejud.cases.models import Case, CaseTransition
from vejud.courses.models import CaseClosure
from vejud.decisions.models import Decision, DecisionOutcome
from vejud.followup.models import EarlyWarning, Review
from vejud.intake.models import Inquiry
from vejud.outcomes.models import Answer, CaseOutcome
from vejud.pool.models import GRANTED_STATUSES, Application
from vejud.statistics.models import DashboardCount, Grain

# Time in a stage is counted in buckets of days (the upper bound of each; one day at a time
# for the first week). Percentiles are reported as the bucket's upper bound.
DAY_BUCKETS = (0, 1, 2, 3, 4, 5, 6, 7, 14, 21, 28, 42, 56, 91, 122, 183, 273, 365, 548, 730)
OVER_DAYS = 9999  # more than two years
# When in the course something happens: months since the course started (upper bounds).
MONTH_BUCKETS = (1, 3, 6, 9, 12, 18, 24)
OVER_MONTHS = 99
REVIEW_MEASURES = (
    "motivation_level",
    "crime_stopped",
    "environment_left",
    "lifestyle_changed",
    "custody_behaviour",
)

Key = tuple[str, date, int, str, str, str]  # grain, period, unit, track, figure, detail


@dataclass(frozen=True)
class Delta:
    """One event's change to one figure."""

    day: date
    unit_id: int
    track: str
    figure: str
    detail: str = ""
    n: int = 1
    total: int = 0

    def counter_keys(self) -> tuple[Key, Key]:
        year, quarter = _periods(self.day)
        rest = (self.unit_id, self.track, self.figure, self.detail)
        return (YEAR, year, *rest), (QUARTER, quarter, *rest)


YEAR, QUARTER = Grain.YEAR.value, Grain.QUARTER.value
_PERIODS: dict[date, tuple[date, date]] = {}


def _periods(day: date) -> tuple[date, date]:
    """The first day of ``day``'s year and of its quarter (kept: a recount asks millions
    of times for a few thousand days)."""
    periods = _PERIODS.get(day)
    if periods is None:
        periods = (date(day.year, 1, 1), date(day.year, 3 * ((day.month - 1) // 3) + 1, 1))
        if len(_PERIODS) < 100_000:
            _PERIODS[day] = periods
    return periods


def day_bucket(days: int) -> int:
    """Return the bucket (its upper bound in days) that ``days`` falls in."""
    return next((bound for bound in DAY_BUCKETS if days <= bound), OVER_DAYS)


def month_bucket(start: date | None, day: date) -> int | None:
    """Return the bucket of whole months from ``start`` to ``day`` (None without a start)."""
    if start is None:
        return None
    months = (day.year - start.year) * 12 + day.month - start.month - (day.day < start.day)
    return next((bound for bound in MONTH_BUCKETS if months < bound), OVER_MONTHS)


# The time zone of a recount, looked up once for it (a per-call lookup of the active zone
# is a third of a recount's time); unset elsewhere, in the receivers.
_zone: ContextVar[tzinfo | None] = ContextVar("vejud_figures_zone", default=None)


def _day(moment: datetime | date) -> date:
    if isinstance(moment, datetime):
        return timezone.localdate(moment, _zone.get() or timezone.get_current_timezone())
    return moment


# --- Events to deltas (shared by the receivers and the recount) ---


@dataclass(frozen=True)
class CaseFacts:
    """What the figures need of a case: where it is counted and when its stages began."""

    unit_id: int
    track: str
    opened_on: date
    course_started_on: date | None

    def delta(self, day: date, figure: str, detail: str = "", *, total: int = 0) -> Delta:
        return Delta(day, self.unit_id, self.track, figure, detail, 1, total)


CASE_FACT_FIELDS = ("responsible_unit_id", "track", "opened_on", "course_started_on")


def case_facts(case_id: int) -> CaseFacts:
    return CaseFacts(*Case.objects.values_list(*CASE_FACT_FIELDS).get(pk=case_id))


def inflow_deltas(case: CaseFacts, source: str | None, *, n: int = 1) -> list[Delta]:
    """A case opened, by the source of its inquiry ("" until an inquiry is registered)."""
    delta = case.delta(case.opened_on, "inflow", source or "")
    return [Delta(delta.day, delta.unit_id, delta.track, "inflow", delta.detail, n)]


def transition_deltas(
    case: CaseFacts, source: str, target: str, at: datetime, since: date
) -> list[Delta]:
    """A status change: counted by its two statuses, and the days spent in the one left."""
    day = _day(at)
    days = max((day - since).days, 0)
    return [
        case.delta(day, "moved", f"{source}>{target}"),
        case.delta(day, "days", f"{source}:{day_bucket(days)}", total=days),
    ]


def decision_deltas(case: CaseFacts, at: datetime, level: str, outcome: str, grounds: Any) -> list:
    day = _day(at)
    deltas = [case.delta(day, "decision", f"{level}:{outcome}")]
    if outcome == DecisionOutcome.REFUSE:
        deltas += [case.delta(day, "ground", str(ground)) for ground in grounds or ()]
    return deltas


def closure_deltas(case: CaseFacts, at: datetime, reason: str) -> list[Delta]:
    day = _day(at)
    deltas = [case.delta(day, "closure", reason)]
    bucket = month_bucket(case.course_started_on, day)
    if bucket is not None:
        deltas.append(case.delta(day, "closure_at", f"{reason}:{bucket}"))
    return deltas


def review_deltas(case: CaseFacts, day: date, scores: dict[str, int | None]) -> list[Delta]:
    bucket = month_bucket(case.course_started_on, day)
    detail = str(bucket if bucket is not None else OVER_MONTHS)
    return [
        case.delta(day, f"r_{measure}", detail, total=value)
        for measure, value in scores.items()
        if value is not None
    ]


def warning_raised_deltas(case: CaseFacts, at: datetime, reason: str) -> list[Delta]:
    return [case.delta(_day(at), "warning", reason)]


def warning_resolved_deltas(
    case: CaseFacts, raised: datetime, resolved: datetime, reason: str
) -> list[Delta]:
    days = max((_day(resolved) - _day(raised)).days, 0)
    return [case.delta(_day(resolved), "warning_resolved", reason, total=days)]


OUTCOME_MEASURES = ("reregistered", "new_charges")


def outcome_deltas(
    case: CaseFacts, ended_on: date, months: int, answers: dict[str, str]
) -> list[Delta]:
    """An outcome after the course, counted on the day the course ended (its year is the
    cohort): followed up at the point, and each measure by its answer ("yes", or "other")."""
    deltas = [case.delta(ended_on, "outcome", f"{months}:followed")]
    for measure in OUTCOME_MEASURES:
        answer = "yes" if answers.get(measure) == Answer.YES else "other"
        deltas.append(case.delta(ended_on, "outcome", f"{months}:{measure}:{answer}"))
    return deltas


def advice_deltas(unit_id: int, asked: datetime, first_response: datetime) -> list[Delta]:
    hours = max(int((first_response - asked).total_seconds() // 3600), 0)
    return [Delta(_day(first_response), unit_id, "", "advice_answered", "", 1, hours)]


def grant_deltas(unit_id: int, decided: datetime, category: str, approved_ore: int) -> list[Delta]:
    return [Delta(_day(decided), unit_id, "", "granted", category, 1, approved_ore)]


# --- Writing deltas ---


def _sums(deltas: Iterable[Delta], sign: int = 1) -> dict[Key, list[int]]:
    sums: dict[Key, list[int]] = {}
    for delta in deltas:
        for key in delta.counter_keys():
            row = sums.setdefault(key, [0, 0])
            row[0] += sign * delta.n
            row[1] += sign * delta.total
    return sums


UPSERT = (
    "INSERT INTO statistics_dashboardcount"
    " (grain, period, unit_id, track, figure, detail, n, total)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
    " ON CONFLICT (grain, period, unit_id, track, figure, detail) DO UPDATE"
    " SET n = statistics_dashboardcount.n + excluded.n,"
    " total = statistics_dashboardcount.total + excluded.total"
)


def count(deltas: Iterable[Delta], *, sign: int = 1) -> None:
    """Add (or with ``sign=-1`` take away) the deltas, in the caller's transaction; rows are
    taken in key order so two transactions cannot deadlock on them."""
    sums = _sums(deltas, sign)
    rows = [
        (grain, period.isoformat(), unit, track, figure, detail, n, total)
        for (grain, period, unit, track, figure, detail), (n, total) in sorted(sums.items())
        if n or total
    ]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(UPSERT, rows)


# --- The recount: every source row through the same functions ---

CHUNK = 10_000


def _transition_rows(case_ids: list[int] | None) -> Iterator[Delta]:
    rows = CaseTransition.objects.order_by("case_id", "at", "id")
    if case_ids is not None:
        rows = rows.filter(case_id__in=case_ids)
    previous: tuple[int, date] | None = None
    for case_id, source, target, at, *facts in rows.values_list(
        "case_id", "from_status", "to_status", "at", *(f"case__{f}" for f in CASE_FACT_FIELDS)
    ).iterator(chunk_size=CHUNK):
        case = CaseFacts(*facts)
        since = previous[1] if previous and previous[0] == case_id else case.opened_on
        yield from transition_deltas(case, source, target, at, since)
        previous = (case_id, _day(at))


def _case_rows(model: Any, case_ids: list[int] | None, *fields: str) -> Iterator[tuple[Any, ...]]:
    rows = model.objects.order_by("pk")
    if case_ids is not None:
        rows = rows.filter(case_id__in=case_ids)
    facts = tuple(f"case__{f}" for f in CASE_FACT_FIELDS)
    for row in rows.values_list(*facts, *fields).iterator(chunk_size=CHUNK):
        yield CaseFacts(*row[:4]), *row[4:]


def case_deltas(case_ids: list[int] | None = None) -> Iterator[Delta]:
    """Every delta of the cases' own events (all cases when ``case_ids`` is None)."""
    cases = Case.objects.order_by("pk")
    if case_ids is not None:
        cases = cases.filter(pk__in=case_ids)
    for *facts, source in cases.values_list(*CASE_FACT_FIELDS, "inquiry__source").iterator(
        chunk_size=CHUNK
    ):
        yield from inflow_deltas(CaseFacts(*facts), source)
    yield from _transition_rows(case_ids)
    for case, at, level, outcome, grounds in _case_rows(
        Decision, case_ids, "decided_at", "level", "outcome", "grounds"
    ):
        yield from decision_deltas(case, at, level, outcome, grounds)
    for case, at, reason in _case_rows(CaseClosure, case_ids, "closed_at", "reason"):
        yield from closure_deltas(case, at, reason)
    for case, day, *scores in _case_rows(Review, case_ids, "reviewed_on", *REVIEW_MEASURES):
        yield from review_deltas(case, day, dict(zip(REVIEW_MEASURES, scores, strict=True)))
    for case, raised, resolved, reason in _case_rows(
        EarlyWarning, case_ids, "raised_at", "resolved_at", "reason"
    ):
        yield from warning_raised_deltas(case, raised, reason)
        if resolved is not None:
            yield from warning_resolved_deltas(case, raised, resolved, reason)
    for case, ended_on, months, *answers in _case_rows(
        CaseOutcome, case_ids, "course_ended_on", "months", *OUTCOME_MEASURES
    ):
        yield from outcome_deltas(
            case, ended_on, months, dict(zip(OUTCOME_MEASURES, answers, strict=True))
        )


def all_deltas() -> Iterator[Delta]:
    yield from case_deltas()
    answered = AdviceRequest.objects.filter(first_response_at__isnull=False)
    for unit_id, asked, first in answered.values_list(
        "unit_id", "created_at", "first_response_at"
    ).iterator(chunk_size=CHUNK):
        yield from advice_deltas(unit_id, asked, first)  # type: ignore[arg-type]
    for unit_id, decided, category, approved in (
        Application.objects.filter(status__in=sorted(GRANTED_STATUSES))
        .values_list("applying_unit_id", "decided_at", "category", "approved_ore")
        .iterator(chunk_size=CHUNK)
    ):
        yield from grant_deltas(unit_id, decided, category, approved)  # type: ignore[arg-type]


SOURCE_TABLES = (
    "cases_case",
    "cases_casetransition",
    "intake_inquiry",
    "decisions_decision",
    "courses_caseclosure",
    "followup_review",
    "followup_earlywarning",
    "outcomes_caseoutcome",
    "advice_advicerequest",
    "pool_application",
)


def _hold_writers() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {', '.join(SOURCE_TABLES)} IN SHARE MODE")


def _stored() -> dict[Key, list[int]]:
    return {
        (grain, period, unit, track, figure, detail): [n, total]
        for grain, period, unit, track, figure, detail, n, total in DashboardCount.objects.exclude(
            n=0, total=0
        ).values_list("grain", "period", "unit_id", "track", "figure", "detail", "n", "total")
    }


def _expected() -> dict[Key, list[int]]:
    token = _zone.set(timezone.get_current_timezone())
    try:
        return {key: value for key, value in _sums(all_deltas()).items() if any(value)}
    finally:
        _zone.reset(token)


def _bucket_sql(value: str, bounds: tuple[int, ...], over: int, compare: str) -> str:
    """SQL for the first bound that ``value`` is ``compare`` (``<=`` or ``<``), else ``over``."""
    whens = " ".join(f"WHEN {value} {compare} {bound} THEN {bound}" for bound in bounds)
    return f"(CASE {whens} ELSE {over} END)"


def _months_sql(start: str, day: str) -> str:
    """SQL for ``month_bucket``'s whole months from ``start`` to ``day`` (dates)."""
    return (
        f"((extract(year FROM {day}) - extract(year FROM {start})) * 12"
        f" + extract(month FROM {day}) - extract(month FROM {start})"
        f" - (extract(day FROM {day}) < extract(day FROM {start}))::int)"
    )


def recount_sql(zone: str) -> tuple[str, dict[str, Any]]:
    """The whole recount as one SQL statement over the data (PostgreSQL): every delta of
    ``all_deltas`` as a row (day, unit, track, figure, detail, n, total), summed per year
    and quarter. The same rules as the functions above, written set-based; ``figures_check``
    recounts with those functions, so the tests hold the two to the same figures."""

    def local(column: str) -> str:
        return f"({column} AT TIME ZONE %(zone)s)::date"

    def months(start: str, day: str) -> str:
        return _bucket_sql(_months_sql(start, day), MONTH_BUCKETS, OVER_MONTHS, "<")

    case = Case._meta.db_table
    facts = "c.responsible_unit_id AS unit, c.track AS track"
    moved = local("t.at")
    since = f"coalesce(lag({moved}) OVER (PARTITION BY t.case_id ORDER BY t.at, t.id), c.opened_on)"
    days = f"greatest({moved} - {since}, 0)"
    review_bucket = (
        f"(CASE WHEN c.course_started_on IS NULL THEN {OVER_MONTHS}"
        f" ELSE {months('c.course_started_on', 'r.reviewed_on')} END)::text"
    )
    review_values = ", ".join(f"('r_{measure}', r.{measure})" for measure in REVIEW_MEASURES)
    reviews = (
        f"SELECT r.reviewed_on, {facts}, m.figure, {review_bucket}, 1, m.score"
        f" FROM {Review._meta.db_table} r JOIN {case} c ON c.id = r.case_id"
        f" CROSS JOIN LATERAL (VALUES {review_values}) AS m(figure, score)"
        " WHERE m.score IS NOT NULL"
    )
    answer_values = ", ".join(
        f"(':{measure}:' || (CASE WHEN o.{measure} = %(yes)s THEN 'yes' ELSE 'other' END))"
        for measure in OUTCOME_MEASURES
    )
    outcomes = (
        f"SELECT o.course_ended_on, {facts}, 'outcome', o.months::text || m.detail, 1, 0"
        f" FROM {CaseOutcome._meta.db_table} o JOIN {case} c ON c.id = o.case_id"
        f" CROSS JOIN LATERAL (VALUES (':followed'), {answer_values}) AS m(detail)"
    )
    closed = local("x.closed_at")
    raised, resolved = local("w.raised_at"), local("w.resolved_at")
    deltas = f"""
        SELECT c.opened_on AS day, {facts}, 'inflow' AS figure,
               coalesce(i.source, '') AS detail, 1 AS n, 0 AS total
          FROM {case} c LEFT JOIN {Inquiry._meta.db_table} i ON i.case_id = c.id
        UNION ALL
        SELECT t.day, t.unit, t.track, m.figure, m.detail, 1, m.total
          FROM transitions t CROSS JOIN LATERAL (VALUES
               ('moved', t.moved, 0),
               ('days', t.source || ':' || {_bucket_sql("t.days", DAY_BUCKETS, OVER_DAYS, "<=")},
                t.days)
          ) AS m(figure, detail, total)
        UNION ALL
        SELECT {local("d.decided_at")}, {facts}, 'decision', d.level || ':' || d.outcome, 1, 0
          FROM {Decision._meta.db_table} d JOIN {case} c ON c.id = d.case_id
        UNION ALL
        SELECT {local("d.decided_at")}, {facts}, 'ground', g.ground, 1, 0
          FROM {Decision._meta.db_table} d JOIN {case} c ON c.id = d.case_id
         CROSS JOIN LATERAL jsonb_array_elements_text(
               CASE WHEN jsonb_typeof(d.grounds) = 'array' THEN d.grounds ELSE '[]' END
           ) AS g(ground)
         WHERE d.outcome = %(refuse)s
        UNION ALL
        SELECT {closed}, {facts}, 'closure', x.reason, 1, 0
          FROM {CaseClosure._meta.db_table} x JOIN {case} c ON c.id = x.case_id
        UNION ALL
        SELECT {closed}, {facts}, 'closure_at',
               x.reason || ':' || {months("c.course_started_on", closed)}, 1, 0
          FROM {CaseClosure._meta.db_table} x JOIN {case} c ON c.id = x.case_id
         WHERE c.course_started_on IS NOT NULL
        UNION ALL
        {reviews}
        UNION ALL
        SELECT {raised}, {facts}, 'warning', w.reason, 1, 0
          FROM {EarlyWarning._meta.db_table} w JOIN {case} c ON c.id = w.case_id
        UNION ALL
        SELECT {resolved}, {facts}, 'warning_resolved', w.reason, 1,
               greatest({resolved} - {raised}, 0)
          FROM {EarlyWarning._meta.db_table} w JOIN {case} c ON c.id = w.case_id
         WHERE w.resolved_at IS NOT NULL
        UNION ALL
        {outcomes}
        UNION ALL
        SELECT {local("a.first_response_at")}, a.unit_id, '', 'advice_answered', '', 1,
               greatest(floor(extract(epoch FROM a.first_response_at - a.created_at) / 3600), 0)
          FROM {AdviceRequest._meta.db_table} a WHERE a.first_response_at IS NOT NULL
        UNION ALL
        SELECT {local("p.decided_at")}, p.applying_unit_id, '', 'granted', p.category, 1,
               p.approved_ore
          FROM {Application._meta.db_table} p WHERE p.status = ANY(%(granted)s)
    """
    # Summed per quarter first (a quarter lies in one year), then the quarters per year.
    sql = f"""
        WITH transitions AS (
            SELECT {moved} AS day, {facts}, t.from_status || '>' || t.to_status AS moved,
                   t.from_status AS source, {days} AS days
              FROM {CaseTransition._meta.db_table} t JOIN {case} c ON c.id = t.case_id
        ), quarters AS MATERIALIZED (
            SELECT date_trunc('quarter', day::timestamp)::date AS period,
                   unit, track, figure, detail, sum(n) AS n, sum(total) AS total
              FROM ({deltas}) d
             GROUP BY 1, 2, 3, 4, 5
        )
        SELECT '{QUARTER}', period, unit, track, figure, detail, n, total
          FROM quarters WHERE n <> 0 OR total <> 0
        UNION ALL
        SELECT '{YEAR}', date_trunc('year', period::timestamp)::date,
               unit, track, figure, detail, sum(n), sum(total)
          FROM quarters
         GROUP BY 2, 3, 4, 5, 6
        HAVING sum(n) <> 0 OR sum(total) <> 0
    """
    params = {
        "zone": zone,
        "yes": Answer.YES.value,
        "refuse": DecisionOutcome.REFUSE.value,
        "granted": sorted(GRANTED_STATUSES),
    }
    return sql, params


def _rebuild_sql() -> int:
    """``figures_rebuild`` on PostgreSQL: the recount in the database (``recount_sql``)."""
    sql, params = recount_sql(str(timezone.get_current_timezone()))
    with connection.cursor() as cursor:
        # No JIT: compiling this statement's many expressions takes longer than running it.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(
            f"INSERT INTO {DashboardCount._meta.db_table}"
            " (grain, period, unit_id, track, figure, detail, n, total) " + sql,
            params,
        )
        return cursor.rowcount


def figures_rebuild() -> int:
    """Recount every figure from the data (writers held off meanwhile); return the rows.

    On PostgreSQL the recount runs in the database (``recount_sql``): a bulk load of a
    million cases recounts in seconds instead of minutes of Python over every row."""
    with transaction.atomic():
        _hold_writers()
        if connection.vendor == "postgresql":
            DashboardCount.objects.all().delete()
            return _rebuild_sql()
        expected = _expected()
        DashboardCount.objects.all().delete()
        DashboardCount.objects.bulk_create(
            (
                DashboardCount(
                    grain=grain,
                    period=period,
                    unit_id=unit,
                    track=track,
                    figure=figure,
                    detail=detail,
                    n=n,
                    total=total,
                )
                for (grain, period, unit, track, figure, detail), (n, total) in expected.items()
            ),
            batch_size=2000,
        )
    return len(expected)


def figures_check() -> list[str]:
    """Return the differences between the stored figures and a recount (none: they match)."""
    with transaction.atomic():
        _hold_writers()
        expected, stored = _expected(), _stored()
    return [
        f"dashboard {key}: stored {stored.get(key, [0, 0])}, counted {expected.get(key, [0, 0])}"
        for key in sorted(set(expected) | set(stored), key=str)
        if expected.get(key) != stored.get(key)
    ]


# --- The receivers: the events as they happen ---


def _on_case(sender: Any, instance: Case, created: bool, raw: bool = False, **_: Any) -> None:
    if created and not raw:
        facts = (getattr(instance, field) for field in CASE_FACT_FIELDS)
        count(inflow_deltas(CaseFacts(*facts), None))


def _on_inquiry(sender: Any, instance: Inquiry, created: bool, raw: bool = False, **_: Any) -> None:
    if created and not raw:
        case = case_facts(instance.case_id)
        count([*inflow_deltas(case, None, n=-1), *inflow_deltas(case, instance.source)])


def _on_transition(
    sender: Any, instance: CaseTransition, created: bool, raw: bool = False, **_: Any
) -> None:
    if not created or raw:
        return
    case = case_facts(instance.case_id)
    previous = (
        CaseTransition.objects.filter(case_id=instance.case_id)
        .exclude(pk=instance.pk)
        .filter(at__lte=instance.at)
        .order_by("-at", "-id")
        .values_list("at", flat=True)
        .first()
    )
    since = _day(previous) if previous is not None else case.opened_on
    count(transition_deltas(case, instance.from_status, instance.to_status, instance.at, since))


def _on_decision(
    sender: Any, instance: Decision, created: bool, raw: bool = False, **_: Any
) -> None:
    if created and not raw:
        case = case_facts(instance.case_id)
        count(
            decision_deltas(
                case, instance.decided_at, instance.level, instance.outcome, instance.grounds
            )
        )


def _on_closure(
    sender: Any, instance: CaseClosure, created: bool, raw: bool = False, **_: Any
) -> None:
    if created and not raw:
        count(closure_deltas(case_facts(instance.case_id), instance.closed_at, instance.reason))


def _on_review(sender: Any, instance: Review, created: bool, raw: bool = False, **_: Any) -> None:
    if created and not raw:
        scores = {measure: getattr(instance, measure) for measure in REVIEW_MEASURES}
        count(review_deltas(case_facts(instance.case_id), instance.reviewed_on, scores))


def _on_outcome(
    sender: Any, instance: CaseOutcome, created: bool, raw: bool = False, **_: Any
) -> None:
    if created and not raw:
        answers = {measure: getattr(instance, measure) for measure in OUTCOME_MEASURES}
        count(
            outcome_deltas(
                case_facts(instance.case_id), instance.course_ended_on, instance.months, answers
            )
        )


BEFORE = "_vejud_figures_before"  # the watched field as stored before the save


def _before(instance: Any, field: str) -> Any:
    """The value of ``field`` as stored, before this save (None for a new row)."""
    if instance.pk is None or instance._state.adding:
        return None
    return type(instance).objects.filter(pk=instance.pk).values_list(field, flat=True).first()


def _remember(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """Before a save that may resolve, answer or decide: what the row held."""
    if raw:
        return
    fields = kwargs.get("update_fields")
    watched = WATCHED[type(instance)]
    if fields is None or watched in fields:
        setattr(instance, BEFORE, _before(instance, watched))


def _on_warning(
    sender: Any, instance: EarlyWarning, created: bool, raw: bool = False, **_: Any
) -> None:
    if raw:
        return
    case: CaseFacts | None = None
    if created:
        case = case_facts(instance.case_id)
        count(warning_raised_deltas(case, instance.raised_at, instance.reason))
    if instance.resolved_at is not None and getattr(instance, BEFORE, 0) is None:
        case = case or case_facts(instance.case_id)
        count(
            warning_resolved_deltas(case, instance.raised_at, instance.resolved_at, instance.reason)
        )
    setattr(instance, BEFORE, instance.resolved_at)


def _on_advice(
    sender: Any, instance: AdviceRequest, created: bool, raw: bool = False, **_: Any
) -> None:
    if raw:
        return
    first = instance.first_response_at
    if first is not None and getattr(instance, BEFORE, 0) is None:
        count(advice_deltas(instance.unit_id, instance.created_at, first))
    setattr(instance, BEFORE, first)


def _on_application(
    sender: Any, instance: Application, created: bool, raw: bool = False, **_: Any
) -> None:
    if raw:
        return
    decided = instance.decided_at
    before = getattr(instance, BEFORE, 0)
    if decided is not None and before is None and instance.status in GRANTED_STATUSES:
        count(
            grant_deltas(
                instance.applying_unit_id, decided, instance.category, instance.approved_ore
            )
        )
    setattr(instance, BEFORE, decided)


WATCHED: dict[type, str] = {
    EarlyWarning: "resolved_at",
    AdviceRequest: "first_response_at",
    Application: "decided_at",
}


def _before_case_save(sender: Any, instance: Case, raw: bool = False, **kwargs: Any) -> None:
    """A case changing unit or track takes its figures along: out of the old, into the new."""
    fields = kwargs.get("update_fields")
    if raw or instance._state.adding:
        return
    if fields is not None and not {"responsible_unit", "track"} & set(fields):
        return
    stored = Case.objects.filter(pk=instance.pk).values_list("responsible_unit_id", "track").first()
    if stored is None or stored == (instance.responsible_unit_id, instance.track):
        return
    deltas = list(case_deltas([instance.pk]))
    count(deltas, sign=-1)
    count(
        Delta(d.day, instance.responsible_unit_id, instance.track, d.figure, d.detail, d.n, d.total)
        for d in deltas
    )


def connect() -> None:
    """Connect the receivers (``StatisticsConfig.ready``)."""
    uid = "vejud_figures_"
    post_save.connect(_on_case, sender=Case, dispatch_uid=uid + "case_opened")
    post_save.connect(_on_inquiry, sender=Inquiry, dispatch_uid=uid + "inquiry")
    post_save.connect(_on_transition, sender=CaseTransition, dispatch_uid=uid + "transition")
    post_save.connect(_on_decision, sender=Decision, dispatch_uid=uid + "decision")
    post_save.connect(_on_closure, sender=CaseClosure, dispatch_uid=uid + "closure")
    post_save.connect(_on_review, sender=Review, dispatch_uid=uid + "review")
    post_save.connect(_on_outcome, sender=CaseOutcome, dispatch_uid=uid + "outcome")
    post_save.connect(_on_warning, sender=EarlyWarning, dispatch_uid=uid + "warning")
    post_save.connect(_on_advice, sender=AdviceRequest, dispatch_uid=uid + "advice")
    post_save.connect(_on_application, sender=Application, dispatch_uid=uid + "application")
    for model in WATCHED:
        pre_save.connect(_remember, sender=model, dispatch_uid=uid + "before_" + model.__name__)
    pre_save.connect(_before_case_save, sender=Case, dispatch_uid=uid + "case")
