"""The training API: the same services and gates as the pages."""

from __future__ import annotations

import pytest
import time_machine

from vejud.testing.api import JsonApi
from vejud.testing.training import make_course, make_session
from vejud.training.models import Registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(world):
    return make_session(
        world,
        make_course(world, title="Motivational interviewing"),
        capacity=1,
        days=2,
        teachers=[world.member_b],
    )


def test_register_wait_cancel_offer_accept_check_in(world, session):
    base = f"/api/v1/training/sessions/{session.pk}"
    first = JsonApi(world.member_a).post(f"{base}/registrations", {}).json()
    assert first["status"] == "registered" and first["participant"] == "Member A"
    coordinator = JsonApi(world.coordinator_a)
    waiting = coordinator.post(f"{base}/registrations", {}).json()
    assert waiting["status"] == "waiting"
    full = JsonApi(world.adviser, raise_errors=False).post(
        f"{base}/registrations", {"participant_email": "member_b@test.vejud.dk", "waitlist": False}
    )
    assert full.status_code == 409 and full.json()["code"] == "full"
    again = JsonApi(world.member_a, raise_errors=False).post(f"{base}/registrations", {})
    assert again.status_code == 409
    cancelled = (
        JsonApi(world.member_a)
        .post(f"/api/v1/training/registrations/{first['id']}/cancellation")
        .json()
    )
    assert cancelled["status"] == "cancelled"
    offered = coordinator.get(f"/api/v1/training/registrations/{waiting['id']}").json()
    assert offered["status"] == "offered" and offered["offer_expires_at"]
    accepted = coordinator.post(f"/api/v1/training/registrations/{waiting['id']}/acceptance").json()
    assert accepted["status"] == "registered"
    teacher = JsonApi(world.member_b)
    sheet = teacher.get(f"{base}/attendance").json()
    days = [d["id"] for d in sheet["days"]]
    for day in session.days.all():  # each on its day
        with time_machine.travel(day.starts_at, tick=False):
            sheet = (
                JsonApi(world.member_b)
                .post(f"{base}/attendance", {"registration_id": waiting["id"], "day_id": day.pk})
                .json()
            )
    assert sheet["rows"][0]["days_present"] == days
    assert Registration.objects.get(pk=waiting["id"]).status == "completed"


def test_gates_answer_403_and_404_before_the_body(world, session):
    registration = (
        JsonApi(world.member_a)
        .post(f"/api/v1/training/sessions/{session.pk}/registrations", {})
        .json()
    )
    url = f"/api/v1/training/registrations/{registration['id']}"
    assert JsonApi(world.member_b, raise_errors=False).get(url).status_code == 404
    assert JsonApi(world.coordinator_b, raise_errors=False).get(url).status_code == 404
    assert JsonApi(world.coordinator_a, raise_errors=False).get(url).status_code == 200
    assert JsonApi(world.analyst, raise_errors=False).get(url).status_code == 403
    sheet = f"/api/v1/training/sessions/{session.pk}/attendance"
    assert JsonApi(world.member_a, raise_errors=False).post(sheet, {"x": 1}).status_code == 404
    assert JsonApi(world.member_b, raise_errors=False).post(sheet, {"x": 1}).status_code == 422
    # A coordinator registers only their own unit's staff.
    other = JsonApi(world.coordinator_a, raise_errors=False).post(
        f"/api/v1/training/sessions/{session.pk}/registrations",
        {"participant_email": "member_b@test.vejud.dk"},
    )
    assert other.status_code == 422


def test_the_analyst_gets_counts_only(world, session):
    coverage = JsonApi(world.analyst).get("/api/v1/training/coverage").json()
    assert coverage["names"] is False
    assert all(item["attention"] is None for item in coverage["items"])
    national = JsonApi(world.adviser).get("/api/v1/training/coverage").json()
    assert national["names"] is True


def test_the_national_contact_point_adds_a_course_and_plans_a_session(world):
    adviser = JsonApi(world.adviser)
    course = adviser.post(
        "/api/v1/training/courses",
        {
            "code": "safety",
            "kind": "course",
            "title": "Protected addresses and safety",
            "required_for_roles": ["unit_coordinator"],
            "validity_months": 24,
        },
    )
    assert course.status_code == 201, course.content
    body = {
        "course_id": course.json()["id"],
        "place": "Odense",
        "capacity": 5,
        "registration_deadline": "2027-03-01",
        "days": [{"on": "2027-03-10", "starts": "09:00", "ends": "15:00"}],
        "quotas": [{"district_code": "test-a", "seats": 2}, {"agency": "police", "seats": 3}],
        "teacher_emails": ["member_b@test.vejud.dk"],
    }
    created = adviser.post("/api/v1/training/sessions", body)
    assert created.status_code == 201, created.content
    session = created.json()
    assert session["days"][0]["starts_at"].startswith("2027-03-10T08:00:00")  # 09:00 CET
    assert session["teachers"] == ["Member B"] and len(session["quotas"]) == 2
    bad = JsonApi(world.adviser, raise_errors=False).post(
        "/api/v1/training/sessions",
        {**body, "days": [{"on": "2027-03-10", "starts": "15:00", "ends": "09:00"}]},
    )
    assert bad.status_code == 422
    cancelled = adviser.post(
        f"/api/v1/training/sessions/{session['id']}/status", {"status": "cancelled"}
    )
    assert cancelled.json()["status"] == "cancelled"
    coordinator = JsonApi(world.coordinator_a, raise_errors=False)
    assert coordinator.post("/api/v1/training/sessions", body).status_code == 403


def test_a_nul_character_in_an_email_is_422_not_500(world):
    session = make_session(world, make_course(world))
    answer = JsonApi(world.adviser, raise_errors=False).post(
        f"/api/v1/training/sessions/{session.pk}/registrations",
        {"participant_email": "a\u0000b@x.dk"},
    )
    assert answer.status_code == 422
