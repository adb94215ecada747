"""The counters kept by triggers equal a GROUP BY over the data after any mix of changes."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from io import StringIO

import pytest
from django.db import connection, models, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vejud.audit.services import audit_record, audited
from vejud.cases.models import Case, CaseStatus, Track
from vejud.cases.services import case_transition
from vejud.followup.models import EarlyWarning, Review
from vejud.statistics.models import OPEN_EARLY_WARNINGS, CaseCount, MonthCount, Tally
from vejud.statistics.services import counters_check, counters_rebuild
from vejud.statistics.triggers import missing_triggers
from vejud.testing import World, make_case, make_person


class _Rollback(Exception):
    pass


def _month(day: date) -> date:
    return day.replace(day=1)


def expected_case_counts() -> Counter[tuple[int, str, str]]:
    return Counter(
        (case.responsible_unit_id, case.track, case.status)
        for case in Case.objects.only("responsible_unit_id", "track", "status")
    )


def expected_month_counts() -> Counter[tuple[date, str, str]]:
    result: Counter[tuple[date, str, str]] = Counter()
    for case in Case.objects.only("track", "opened_on", "course_started_on", "closed_on"):
        result[(_month(case.opened_on), case.track, "opened")] += 1
        if case.course_started_on:
            result[(_month(case.course_started_on), case.track, "admitted")] += 1
        if case.closed_on:
            result[(_month(case.closed_on), case.track, "ended")] += 1
    return result


def counted_cases() -> Counter[tuple[int, str, str]]:
    return Counter({(c.unit_id, c.track, c.status): c.n for c in CaseCount.objects.filter(n__gt=0)})


def counted_months() -> Counter[tuple[date, str, str]]:
    return Counter({(m.month, m.track, m.event): m.n for m in MonthCount.objects.filter(n__gt=0)})


def open_warnings_counted() -> int:
    return Tally.objects.filter(name=OPEN_EARLY_WARNINGS).values_list("n", flat=True).first() or 0


def assert_counters_match() -> None:
    assert counted_cases() == expected_case_counts()
    assert counted_months() == expected_month_counts()
    assert open_warnings_counted() == EarlyWarning.objects.filter(resolved_at__isnull=True).count()
    assert counters_check().ok, counters_check().differences


def _write(action: str, obj: models.Model, **changes: object) -> None:
    audit_record(actor=None, action=action, obj=obj, changes=changes)


# One step of a random history. Indexes pick a case or unit modulo what exists.
step = st.one_of(
    st.tuples(st.just("open"), st.integers(0, 1), st.booleans()),
    st.tuples(st.just("transition"), st.integers(0, 50), st.sampled_from(list(CaseStatus))),
    st.tuples(st.just("move"), st.integers(0, 50), st.integers(0, 1)),
    st.tuples(st.just("to_custody"), st.integers(0, 50), st.booleans()),
    st.tuples(st.just("dates"), st.integers(0, 50), st.integers(-400, 0)),
    st.tuples(st.just("mass_status"), st.integers(0, 1), st.sampled_from(list(CaseStatus))),
    st.tuples(st.just("bulk"), st.integers(1, 4), st.integers(0, 1)),
    st.tuples(st.just("delete_bulk"), st.integers(0, 50), st.just(0)),
    st.tuples(st.just("warning"), st.integers(0, 50), st.booleans()),
)


class History:
    """Applies random steps the way the application and bulk tools change the tables."""

    def __init__(self, world: World, cases: list[Case]) -> None:
        self.world = world
        self.units = [world.unit_a, world.unit_b]
        self.cases: list[Case] = list(cases)
        self.bulk: list[Case] = []
        self.warnings: list[EarlyWarning] = []
        self.serial = 90000

    def pick(self, index: int) -> Case | None:
        if not self.cases:
            return None
        return Case.objects.get(pk=self.cases[index % len(self.cases)].pk)

    def apply(self, kind: str, a: int, b: object) -> None:
        getattr(self, f"do_{kind}")(a, b)

    def do_open(self, unit_index: int, custody: object) -> None:
        actor = self.world.coordinator_a if unit_index == 0 else self.world.coordinator_b
        unit = self.units[unit_index]
        if custody:
            case = make_case(
                actor,
                unit,
                track=Track.CUSTODY,
                institution=self.world.prison,
                last_name=f"P{len(self.cases)}",
            )
        else:
            case = make_case(actor, unit, last_name=f"P{len(self.cases)}")
        self.cases.append(case)

    def do_transition(self, index: int, target: object) -> None:
        case = self.pick(index)
        if case is None:
            return
        plain = {
            (CaseStatus.INQUIRY, CaseStatus.ASSESSMENT),
            (CaseStatus.INQUIRY, CaseStatus.WITHDRAWN),
            (CaseStatus.ASSESSMENT, CaseStatus.DROPPED),
        }
        actor = self.world.head
        if (case.status, target) in plain:
            case_transition(actor=actor, case=case, target=str(target), reason="Random history.")
            return
        # Decisions and closures go through their own services; what the counters see is
        # the row changing, so set it as those services would.
        with audited():
            closed = timezone.localdate() if target not in {"inquiry", "assessment"} else None
            admitted = timezone.localdate() if target == CaseStatus.ADMITTED else None
            Case.objects.filter(pk=case.pk).update(
                status=target, closed_on=closed, course_started_on=admitted
            )
            _write("test.status", case, status=str(target))

    def do_move(self, index: int, unit_index: int) -> None:
        case = self.pick(index)
        if case is None:
            return
        with audited():
            case.responsible_unit = self.units[unit_index]
            case.save()  # a full save: every column in the SET list
            _write("test.move", case)

    def do_to_custody(self, index: int, custody: object) -> None:
        case = self.pick(index)
        if case is None:
            return
        with audited():
            case.track = Track.CUSTODY if custody else Track.LIBERTY
            case.institution = self.world.prison if custody else None
            case.save(update_fields=["track", "institution"])
            _write("test.track", case)

    def do_dates(self, index: int, days: int) -> None:
        case = self.pick(index)
        if case is None:
            return
        with audited():
            opened = timezone.localdate() + timedelta(days=days)
            Case.objects.filter(pk=case.pk).update(
                opened_on=opened,
                closed_on=None if case.closed_on is None else opened + timedelta(days=40),
                course_started_on=opened + timedelta(days=20) if days % 2 else None,
            )
            _write("test.dates", case)

    def do_mass_status(self, unit_index: int, status: object) -> None:
        with audited():
            Case.objects.filter(responsible_unit=self.units[unit_index]).update(
                status=status, updated_at=timezone.now()
            )
            _write("test.mass", self.world.unit_a)

    def do_bulk(self, count: int, unit_index: int) -> None:
        with audited():
            rows = []
            for _ in range(count):
                self.serial += 1
                rows.append(
                    Case(
                        reference=f"EX-2019-{self.serial:05d}",
                        # One person per case: a person has at most one open case.
                        person=make_person(self.world.head, last_name=f"Bulk{self.serial}"),
                        responsible_unit=self.units[unit_index],
                        track=Track.LIBERTY,
                        status=CaseStatus.ASSESSMENT,
                        opened_on=date(2019, 3, 1 + count),
                    )
                )
            created = Case.objects.bulk_create(rows)  # one INSERT for all rows
            self.bulk += created
            self.cases += created
            _write("test.bulk", created[0])

    def do_delete_bulk(self, index: int, _unused: object) -> None:
        if not self.bulk:
            return
        case = self.bulk.pop(index % len(self.bulk))
        self.cases = [c for c in self.cases if c.pk != case.pk]
        with audited():
            Case.objects.filter(pk=case.pk).delete()
            _write("test.delete", case)

    def do_warning(self, index: int, resolve: object) -> None:
        if resolve and self.warnings:
            warning = self.warnings.pop(index % len(self.warnings))
            with audited():
                EarlyWarning.objects.filter(pk=warning.pk).update(resolved_at=timezone.now())
                _write("test.resolve", warning.case)
            return
        # Bulk cases stay free of dependent rows, so that they can be deleted again.
        bulk_ids = {c.pk for c in self.bulk}
        candidates = [c for c in self.cases if c.pk not in bulk_ids]
        if not candidates:
            return
        case = candidates[index % len(candidates)]
        with audited():
            review = Review.objects.create(
                case=case,
                reviewed_on=timezone.localdate(),
                crime_stopped=0,
                environment_left=0,
                lifestyle_changed=0,
                motivation_level=2,
                created_by=self.world.head,
            )
            self.warnings.append(
                EarlyWarning.objects.create(case=case, review=review, reason="motivation_drop")
            )
            _write("test.warning", case)


def test_the_counter_triggers_are_installed(db):
    assert missing_triggers(connection) == []


@pytest.mark.django_db
def test_counters_equal_a_group_by_after_random_histories(world):
    # Three cases to start from (each example's changes are rolled back afterwards).
    start = History(world, [])
    start.do_open(0, False)
    start.do_open(1, True)
    start.do_open(0, False)
    assert_counters_match()

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
    @given(st.lists(step, min_size=1, max_size=14))
    def run(steps: list[tuple[str, int, object]]) -> None:
        history = History(world, start.cases)
        try:
            with transaction.atomic():
                for kind, a, b in steps:
                    history.apply(kind, a, b)
                    assert_counters_match()
                raise _Rollback
        except _Rollback:
            pass

    run()


@pytest.mark.django_db
def test_rebuild_restores_counters_changed_by_hand(world):
    make_case(world.coordinator_a, world.unit_a)
    make_case(world.coordinator_b, world.unit_b, last_name="Other")
    CaseCount.objects.filter(unit=world.unit_a).update(n=7)
    MonthCount.objects.all().delete()

    result = counters_check()
    assert not result.ok
    assert any("cases" in line for line in result.differences)
    assert any("months" in line for line in result.differences)

    counters_rebuild()

    assert_counters_match()


@pytest.mark.django_db
def test_an_empty_database_has_no_counts(db):
    counters_rebuild()
    assert counted_cases() == Counter()
    assert counters_check().ok


@pytest.mark.django_db
def test_the_command_finds_and_repairs_a_wrong_counter(world):
    from django.core.management import CommandError, call_command

    make_case(world.coordinator_a, world.unit_a)
    CaseCount.objects.update(n=5)

    with pytest.raises(CommandError):
        call_command("statistics", stdout=StringIO())
    out = StringIO()
    call_command("statistics", "--rebuild", stdout=out)

    assert "match the data" in out.getvalue()
    assert_counters_match()
