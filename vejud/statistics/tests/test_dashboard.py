"""The harmonisation dashboard: figures against a hand-computed fixture, suppression, scope per
role, and the page."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vejud.cases.models import CaseStatus
from vejud.cases.services import case_transition
from vejud.statistics.dashboard import Period, Selection, Tally, dashboard, percentile, stage_time
from vejud.statistics.figures import figures_check, figures_rebuild
from vejud.statistics.models import DashboardCount
from vejud.testing import make_case, verified_client
from vejud.testing.builders import make_case_at

CPH = ZoneInfo("Europe/Copenhagen")
URL = reverse("statistics:dashboard")
START = datetime(2025, 2, 3, 10, 0, tzinfo=CPH)
YEAR = Period("y", date(2025, 1, 1))


def _at(days: int):
    return time_machine.travel(START + timedelta(days=days), tick=False)


def _tally(units: set[int] | None = None) -> Tally:
    tally = Tally()
    rows = DashboardCount.objects.filter(grain="y", period=YEAR.start)
    if units is not None:
        rows = rows.filter(unit_id__in=units)
    for figure, detail, n, total in rows.values_list("figure", "detail", "n", "total"):
        tally.add(figure, detail, n, total)
    return tally


@pytest.fixture
def fixture_world(world):
    """Unit A: eight inquiries on day 0; five to assessment on day 3, two on day 10, one
    withdrawn on day 10; one of the first five withdrawn in assessment on day 40; then one
    refused, one admitted and one closed case made on day 50 (each through every stage that
    day). Unit B: two inquiries on day 0."""
    with _at(0):
        a = [make_case(world.coordinator_a, world.unit_a) for _ in range(8)]
        for _ in range(2):
            make_case(world.coordinator_b, world.unit_b)
    with _at(3):
        for case in a[:5]:
            case_transition(actor=world.coordinator_a, case=case, target=CaseStatus.ASSESSMENT)
    with _at(10):
        for case in a[5:7]:
            case_transition(actor=world.coordinator_a, case=case, target=CaseStatus.ASSESSMENT)
        case_transition(
            actor=world.coordinator_a, case=a[7], target=CaseStatus.WITHDRAWN, reason="No."
        )
    with _at(40):
        case_transition(
            actor=world.coordinator_a, case=a[0], target=CaseStatus.WITHDRAWN, reason="Moved."
        )
    with _at(50):
        for stage in ("refused", "admitted", "closed"):
            make_case_at(world, stage)
    return world


def test_the_figures_match_the_hand_computed_fixture(fixture_world):
    world = fixture_world
    a = _tally({world.unit_a.pk})
    assert a.count("inflow") == 11
    assert a.moved(target=CaseStatus.ASSESSMENT) == 10  # 7 by hand, 3 by the builders
    assert a.moved(source=CaseStatus.INQUIRY, target=CaseStatus.WITHDRAWN) == 1
    assert a.moved(source=CaseStatus.ASSESSMENT, target=CaseStatus.WITHDRAWN) == 1
    assert a.count("decision", "unit:refuse") == 1
    assert a.count("decision", "unit:admit") == 2
    assert a.count("closure", "completed") == 1
    # Days at inquiry: 0 0 0 (builders), 3 3 3 3 3, 10 10 10 -> buckets 0, 3 and 14.
    inquiry = stage_time(a, CaseStatus.INQUIRY, "Inquiry")
    assert (inquiry.n, inquiry.median, inquiry.p80, inquiry.mean) == (11, 3, 14, round(45 / 11, 1))
    # Days in assessment: three 0 (builders) and one 37 (bucket 42): under five, not shown.
    assessment = stage_time(a, CaseStatus.ASSESSMENT, "Assessment")
    assert assessment.n == 4 and assessment.median is None
    b = _tally({world.unit_b.pk})
    assert b.count("inflow") == 2
    assert _tally().count("inflow") == 13
    assert figures_check() == []


def test_the_figures_are_the_same_after_a_rebuild(fixture_world):
    before = sorted(
        DashboardCount.objects.exclude(n=0, total=0).values_list(
            "grain", "period", "unit_id", "track", "figure", "detail", "n", "total"
        )
    )
    figures_rebuild()
    after = sorted(
        DashboardCount.objects.values_list(
            "grain", "period", "unit_id", "track", "figure", "detail", "n", "total"
        )
    )
    assert after == before


def test_the_quarter_holds_the_first_quarter_s_events(fixture_world):
    quarter = Period.parse("2025-Q1")
    board = dashboard(quarter, Selection(chosen=None), compare_units=True)
    funnel = {label: national for label, _own, national in board.compared["funnel"]}
    # 13 inquiries; 10 assessments started; 3 decided by the unit; 2 admitted; 1 completed.
    assert list(funnel.values()) == [13, 10, None, None, None]


def test_percentile_takes_the_bucket_that_holds_the_rank():
    assert percentile([], 0.5) is None
    assert percentile([(0, 1), (3, 4)], 0.5) == 3
    assert percentile([(0, 4), (3, 1)], 0.8) == 0
    assert percentile([(0, 4), (3, 1)], 0.81) == 3


def test_a_unit_sees_its_row_and_the_national_totals_of_the_same_table(fixture_world):
    world = fixture_world
    board = dashboard(YEAR, Selection(chosen=frozenset({world.unit_a.pk})), compare_units=False)
    rows = {label: (own, national) for label, own, national in board.compared["funnel"]}
    # Unit B's 2 inquiries are hidden in the table released for every unit; with the national
    # 13 shown, unit A's 11 would give them away (13 - 11), so unit A's is hidden as well.
    assert rows["Inquiries"] == (None, 13)
    table = board.funnel
    assert list(table.rows) == [world.unit_a.name]
    assert board.outliers == []


@pytest.mark.parametrize("role", ["analyst", "adviser", "decision_maker", "head"])
def test_national_roles_and_the_analyst_see_every_unit(fixture_world, role):
    page = verified_client(getattr(fixture_world, role)).get(URL, {"period": "2025"})
    assert page.status_code == 200
    body = page.content.decode()
    assert fixture_world.unit_a.name in body and fixture_world.unit_b.name in body


@pytest.mark.parametrize("role", ["member_a", "coordinator_a"])
def test_unit_staff_see_their_own_unit_only(fixture_world, role):
    page = verified_client(getattr(fixture_world, role)).get(URL, {"period": "2025"})
    assert page.status_code == 200
    body = page.content.decode()
    assert fixture_world.unit_b.name not in body
    other = verified_client(getattr(fixture_world, role)).get(
        URL, {"period": "2025", "unit": f"u{fixture_world.unit_b.pk}"}
    )
    assert other.status_code == 400  # another unit is not a choice


@pytest.mark.parametrize("role", ["custody", "mentor", "sysadmin", "auditor", "nobody"])
def test_other_roles_get_403(fixture_world, role):
    assert verified_client(getattr(fixture_world, role)).get(URL).status_code == 403


@pytest.mark.parametrize(
    "query", [{"period": "1999-Q5"}, {"period": "²⁰²⁵"}, {"period": "2025", "track": "moon"}]
)
def test_bad_input_is_a_400_that_changes_nothing(fixture_world, query):
    before = DashboardCount.objects.count()
    page = verified_client(fixture_world.head).get(URL, query)
    assert page.status_code == 400
    assert DashboardCount.objects.count() == before


def test_the_page_names_no_person_and_no_case(fixture_world):
    from vejud.cases.models import Case

    body = verified_client(fixture_world.analyst).get(URL, {"period": "2025"}).content.decode()
    for case in Case.objects.select_related("person"):
        assert case.reference not in body
    assert "Test Person" not in body


def test_the_page_costs_the_same_queries_whatever_the_data(world):
    client = verified_client(world.head)
    make_case(world.coordinator_a, world.unit_a)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for _ in range(6):
        make_case_at(world, "closed")
    client.get(URL)
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(many) == len(few)


def _body(client, **query):
    page = client.get(URL, {"period": "2025", **query})
    assert page.status_code == 200
    return str(page.context["body"])


def test_a_page_shown_again_with_the_same_figures_is_kept_and_releases_nothing_new(
    fixture_world,
):
    from vejud.statistics.models import ReleasedTable

    client = verified_client(fixture_world.head)
    with CaptureQueriesContext(connection) as first:
        body = _body(client)
    releases = ReleasedTable.objects.count()
    assert releases > 0
    with CaptureQueriesContext(connection) as again:
        assert _body(client) == body
    assert len(again) < len(first)
    assert not [q for q in again if "releasedtable" in q["sql"].lower()]
    assert ReleasedTable.objects.count() == releases
    # Another user with the same reach and the same figures gets the same body.
    assert _body(verified_client(fixture_world.analyst)) == body


def test_a_changed_figure_is_a_new_body_and_a_new_release(fixture_world):
    from vejud.statistics.models import ReleasedTable

    client = verified_client(fixture_world.head)
    body = _body(client)
    releases = ReleasedTable.objects.count()
    with _at(60):
        for _ in range(5):
            make_case(fixture_world.coordinator_b, fixture_world.unit_b)
    changed = _body(client)
    assert changed != body
    assert ReleasedTable.objects.count() > releases
    board = dashboard(YEAR, Selection(chosen=None), compare_units=True)
    assert {label: national for label, _own, national in board.compared["funnel"]}[
        "Inquiries"
    ] == 18


def test_a_kept_body_is_kept_per_selection_and_language(fixture_world):
    national = _body(verified_client(fixture_world.head))
    assert fixture_world.unit_b.name in national
    own = _body(verified_client(fixture_world.coordinator_a))
    assert own != national and fixture_world.unit_b.name not in own
    fixture_world.head.language = "da"
    fixture_world.head.save(update_fields=["language"])
    danish = _body(verified_client(fixture_world.head))
    assert "Hændelser i 2025" in danish and "Events in 2025" in national


# --- Outcomes after the course by cohort -----------------------------------------------------


def _outcome(world, unit, ended_on, months, reregistered, new_charges):
    """An outcome recorded at a point (straight to the table: the receiver counts it)."""
    from vejud.audit.services import audit_record, audited
    from vejud.outcomes.models import CaseOutcome

    case = make_case(world.coordinator_a if unit == world.unit_a else world.coordinator_b, unit)
    with audited():
        outcome = CaseOutcome.objects.create(
            case=case,
            months=months,
            course_ended_on=ended_on,
            due_on=ended_on,
            reregistered=reregistered,
            new_charges=new_charges,
            recorded_by=world.member_a,
        )
        audit_record(actor=None, action="test.outcome", obj=outcome, case_id=case.pk)


@pytest.fixture
def cohort_world(world):
    """Courses ended in 2024: seven followed up at 6 months (five re-registered, one newly
    charged; six in unit A, one in unit B) and two at 12 months (neither); courses ended in
    2025: six followed up at 6 months, all re-registered, none charged."""
    ended_2024, ended_2025 = date(2024, 3, 1), date(2025, 1, 15)
    answers_2024 = [("yes", "yes")] + [("yes", "no")] * 4 + [("no", "no"), ("unknown", "unknown")]
    for i, (reregistered, charges) in enumerate(answers_2024):
        unit = world.unit_b if i == 6 else world.unit_a
        _outcome(world, unit, ended_2024, 6, reregistered, charges)
    for _ in range(2):
        _outcome(world, world.unit_a, ended_2024, 12, "no", "no")
    for _ in range(6):
        _outcome(world, world.unit_a, ended_2025, 6, "yes", "no")
    return world


def test_outcomes_by_cohort_match_the_hand_computed_fixture(cohort_world):
    from vejud.statistics.dashboard import cohorts

    board = cohorts(date(2025, 6, 1))
    assert board.points == [6, 12, 24]
    rows = {row.year: row.cells for row in board.rows}
    assert list(rows) == [2025, 2024, 2023, 2022, 2021]
    six, twelve, twenty_four = rows[2025]
    assert (six.followed, six.reregistered, six.new_charges) == (6, 6, 0)
    assert (twelve.followed, twelve.reregistered, twenty_four.followed) == (0, 0, 0)
    six, twelve, _later = rows[2024]
    # 7 followed up; 2 not re-registered and 1 charged are under five, hidden; then 5
    # re-registered (7 - 5 = 2) and with it the 6 not charged (7 - 6 = 1) are hidden as well.
    assert (six.followed, six.reregistered, six.new_charges) == (7, None, None)
    # Two followed up at 12 months: hidden; that none of them was re-registered or charged
    # (0) reveals nobody.
    assert (twelve.followed, twelve.reregistered, twelve.new_charges) == (None, 0, 0)
    assert board.hidden == 3
    assert all(c.followed == 0 for year in (2021, 2022, 2023) for c in rows[year])
    # Counted under the year the course ended, whichever year the outcome was recorded in.
    years = DashboardCount.objects.filter(grain="y", figure="outcome").values_list(
        "period", flat=True
    )
    assert {day.year for day in years} == {2024, 2025}
    assert figures_check() == []


def test_outcomes_by_cohort_on_the_page_and_after_a_rebuild(cohort_world):
    from vejud.statistics.dashboard import cohorts

    before = cohorts(date(2025, 6, 1))
    figures_rebuild()
    assert cohorts(date(2025, 6, 1)) == before
    with _at(200):
        body = verified_client(cohort_world.analyst).get(URL).content.decode()
    assert "Outcomes by cohort" in body


def test_the_rows_digest_follows_every_row_of_the_period(fixture_world):
    """What a kept page is found by: the same rows give the same digest; one count more, one
    count moved to another detail, or a row more each give another (on PostgreSQL the
    database computes it)."""
    from vejud.statistics.dashboard import rows_digest

    digest = rows_digest(YEAR, "")
    assert rows_digest(YEAR, "") == digest
    row = DashboardCount.objects.filter(grain=YEAR.grain, period=YEAR.start).order_by("pk").first()
    assert row is not None
    seen = {digest}
    DashboardCount.objects.filter(pk=row.pk).update(n=row.n + 1)
    seen.add(rows_digest(YEAR, ""))
    DashboardCount.objects.filter(pk=row.pk).update(n=row.n, detail=f"{row.detail}x")
    seen.add(rows_digest(YEAR, ""))
    DashboardCount.objects.filter(pk=row.pk).update(detail=row.detail)
    assert rows_digest(YEAR, "") == digest
    DashboardCount.objects.create(
        grain=YEAR.grain, period=YEAR.start, unit=row.unit, track=row.track,
        figure=row.figure, detail=f"{row.detail}y", n=1,
    )  # fmt: skip
    seen.add(rows_digest(YEAR, ""))
    assert len(seen) == 4
