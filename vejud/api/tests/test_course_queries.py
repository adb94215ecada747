"""Query counts of the course reads do not grow with plan items, offers, meetings, mentors,
reviews or transfers."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vejud.accounts.models import Role
from vejud.api.tests.course_support import CourseApi, admitted, case_url
from vejud.cases.models import Case
from vejud.cases.services import mentor_assign
from vejud.courses.services import (
    goal_add,
    meeting_attention_resolve,
    meeting_log,
    offer_add,
)
from vejud.offers.models import OfferType
from vejud.testing import make_user
from vejud.testing.builders import add_action, record_review
from vejud.transfers.services import transfer_cancel, transfer_decline, transfer_request

LIFE_AREAS = ("housing", "economy", "work_education", "family_network", "health")


def _count(client: CourseApi, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200, response.json()
    return len(ctx.captured_queries)


def _grow(world: Any, case: Case, n: int, *, mentors: list[Any]) -> None:
    """Add n goals with two actions each (owned), n offers, n meetings per mentor, a review."""
    today = timezone.localdate()
    types = list(OfferType.objects.all())
    for i in range(n):
        goal = goal_add(
            actor=world.member_a, case=case, life_area=LIFE_AREAS[i % 5], goal=f"Goal {i}"
        )
        for owner in (world.coordinator_a, None):
            add_action(world, goal, f"Action {i}", owner=owner)
        offer_add(actor=world.member_a, case=case, offer_type=types[i % len(types)])
    for mentor in mentors:
        for i in range(n):
            meeting = meeting_log(
                actor=mentor,
                case=case,
                met_on=today,
                form="phone",
                duration_minutes=10,
                needs_attention=True,
            )
            if i % 2:
                meeting_attention_resolve(actor=world.coordinator_a, meeting=meeting)


def test_course_is_constant_in_plan_offers_meetings_and_mentors(world):
    case = admitted(world)
    second = make_user("mentor2@test.vejud.dk", "Second Mentor", world.unit_a, Role.MENTOR)
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    staff, mentor = CourseApi(world.member_a), CourseApi(world.mentor)
    url = case_url(case, "/course")
    _grow(world, case, 1, mentors=[world.mentor])
    staff.get(url)  # the token's last-used stamp is written on first use only
    mentor.get(url)
    few = (_count(staff, url), _count(mentor, url))

    mentor_assign(actor=world.coordinator_a, case=case, mentor=second)
    _grow(world, case, 60, mentors=[world.mentor, second])
    assert (_count(staff, url), _count(mentor, url)) == few
    data = staff.get(url).json()
    assert sum(len(g["actions"]) for a in data["plan"] for g in a["goals"]) == 122
    assert len(data["offers"]) == 61
    assert (len(data["meetings"]), data["meetings_more"], data["meeting_count"]) == (
        100,
        True,
        121,
    )
    assert len(data["mentors"]) == 2
    assert len(mentor.get(url).json()["meetings"]) == 61


def test_reviews_are_constant_in_reviews_and_warnings(world):
    case = admitted(world)
    client = CourseApi(world.member_a)
    url = case_url(case, "/reviews")

    def review(level: int) -> None:
        record_review(
            world,
            case,
            level=level,
            progress=(0, 0, 0),
            risk_events=[{"kind": "threat", "occurred_on": timezone.localdate()}],
        )

    review(4)
    client.get(url)
    few = _count(client, url)
    for i in range(30):
        review(5 - 3 * (i % 2))  # dips raise warnings, risk events too
    assert _count(client, url) == few
    data = client.get(url).json()
    assert len(data["reviews"]) == 31
    assert len(data["open_warnings"]) > 31


def test_transfers_are_constant_in_transfers(world):
    case = admitted(world)
    client = CourseApi(world.member_a)
    url = case_url(case, "/transfers")
    incoming = "/api/v1/transfers/incoming"
    receiver = CourseApi(world.member_b)
    transfer_request(actor=world.member_a, case=case, to_unit=world.unit_b, handover_note="One.")
    client.get(url)
    receiver.get(incoming)
    few = (_count(client, url), _count(receiver, incoming))
    for i in range(10):
        pending = case.transfers.get(status="pending")
        if i % 2:
            transfer_decline(actor=world.member_b, transfer=pending, note="No.")
        else:
            transfer_cancel(actor=world.member_a, transfer=pending)
        transfer_request(
            actor=world.member_a, case=case, to_unit=world.unit_b, handover_note=f"Again {i}."
        )
    for i in range(5):
        other = admitted(world, last_name=f"Other{i}")
        transfer_request(actor=world.member_a, case=other, to_unit=world.unit_b, handover_note="B.")
    assert (_count(client, url), _count(receiver, incoming)) == few
    assert len(client.get(url).json()["items"]) == 11
    assert len(receiver.get(incoming).json()["items"]) == 6
