"""Coverage against a fixture counted by hand, on a fixed day; expiry is respected.

The cast's nine staff working with exit cases (the analyst, the administrator, the auditor and
the user without a membership are not) and one course, required for unit members, valid three
years. Completions, and what they make of each on 1 June 2026:

    member A (unit A, municipality)        2025-01-01        trained (until 2028-01-01)
    coordinator A (unit A, police)         2020-01-01        expired (2023-01-01)
    mentor (unit A, municipality)          2019-03-01, 2025-05-01   trained (the later one)
    member B (unit B, police)              -                 missing (a unit member)
    coordinator B (unit B, police)         -                 not trained, not required
    custody (the prison, Kriminalforsorgen) 2024-06-01       trained (until 2027-06-01)
    adviser (national)                     2021-01-01        expired (2024-01-01)
    decision-maker, head (national)        -                 not trained, not required
"""

from __future__ import annotations

from datetime import date

import pytest

from vejud.access.training import coverage_reach
from vejud.testing.training import make_course
from vejud.training.selectors import coverage, requirements_of
from vejud.training.services import completion_record

pytestmark = pytest.mark.django_db
DAY = date(2026, 6, 1)

# (staff, trained, expired, missing), counted by hand from the table above.
TOTAL = (9, 3, 2, 1)
BY_AGENCY = {
    "Municipality": (2, 2, 0, 0),
    "National Exit Contact Point": (3, 0, 1, 0),
    "Police": (3, 0, 1, 1),
    "Prison and Probation Service": (1, 1, 0, 0),
}
BY_DISTRICT = {"Test District A": (3, 2, 1, 0), "Test District B": (2, 0, 0, 1), "—": (4, 1, 1, 0)}
BY_UNIT = {
    "Test Exit Unit A": (3, 2, 1, 0),
    "Test Exit Unit B": (2, 0, 0, 1),
    "Test National Exit Contact Point": (3, 0, 1, 0),
    "Test Prison": (1, 1, 0, 0),
}


def _t(counts) -> tuple[int, int, int, int]:
    return (counts.staff, counts.trained, counts.expired, counts.missing)


@pytest.fixture
def course(world):
    course = make_course(world, title="Basic exit course", required_for_roles=["unit_member"])
    for user, days in [
        (world.member_a, [date(2025, 1, 1)]),
        (world.coordinator_a, [date(2020, 1, 1)]),
        (world.mentor, [date(2019, 3, 1), date(2025, 5, 1)]),
        (world.custody, [date(2024, 6, 1)]),
        (world.adviser, [date(2021, 1, 1)]),
    ]:
        for day in days:
            completion_record(actor=world.adviser, user=user, course=course, completed_on=day)
    return course


def _of(world, role, course, day=DAY):
    return next(
        c for c in coverage(coverage_reach(world.users[role]), on=day) if c.course == course
    )


def test_the_national_contact_point_sees_the_hand_counted_figures(world, course):
    cov = _of(world, "adviser", course)
    assert _t(cov.total) == TOTAL
    assert {label: _t(c) for label, c in cov.agency_rows()} == BY_AGENCY
    assert {label: _t(c) for label, c in cov.district_rows()} == BY_DISTRICT
    assert {label: _t(c) for label, c in cov.unit_rows()} == BY_UNIT
    assert cov.total.share == 33
    named = {(post.full_name, state, until) for post, state, until in cov.attention}
    assert named == {
        ("Coordinator A", "expired", date(2023, 1, 1)),
        ("Adviser", "expired", date(2024, 1, 1)),
        ("Member B", "missing", None),
    }


def test_a_coordinator_sees_their_unit_and_the_analyst_counts_only(world, course):
    unit_a = _of(world, "coordinator_a", course)
    assert _t(unit_a.total) == BY_UNIT["Test Exit Unit A"]
    assert {label for label, _c in unit_a.unit_rows()} == {"Test Exit Unit A"}
    assert {p.full_name for p, _s, _u in unit_a.attention} == {"Coordinator A"}
    analyst = _of(world, "analyst", course)
    assert _t(analyst.total) == TOTAL and analyst.attention == []


def test_expiry_moves_with_the_day(world, course):
    # 2028-02-01: member A's completion (until 2028-01-01) and the custody officer's
    # (until 2027-06-01) have expired; only the mentor's (until 2028-05-01) holds.
    later = _of(world, "adviser", course, date(2028, 2, 1))
    assert _t(later.total) == (9, 1, 4, 1)
    # Before anyone's completion expired (2022-06-01) the adviser's and coordinator A's held;
    # member A, the custody officer and the mentor had not completed yet (the mentor's 2019
    # completion holds until 2022-03-01 and had just expired).
    earlier = _of(world, "adviser", course, date(2022, 6, 1))
    assert _t(earlier.total) == (9, 2, 1, 2)


def test_what_my_role_requires(world, course):
    assert [(r.state, r.valid_until) for r in requirements_of(world.member_a, on=DAY)] == [
        ("valid", date(2028, 1, 1))
    ]
    assert [r.state for r in requirements_of(world.member_b, on=DAY)] == ["missing"]
    assert requirements_of(world.coordinator_a, on=DAY) == []  # not required of coordinators
