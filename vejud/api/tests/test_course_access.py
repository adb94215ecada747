"""The gate on the course operations: other unit → 404, wrong role → 403, mentor → the mentor
view and the meeting log only; objects of another case → 404; reads logged, nothing secret."""

from __future__ import annotations

from typing import Any

import pytest

from vejud.accounts.models import Role
from vejud.api.tests.course_support import (
    CourseApi,
    case_url,
    course_state,
    review_body,
    today,
)
from vejud.audit.models import AccessLog
from vejud.cases.models import Case, CaseStatus
from vejud.cases.services import break_glass_open, mentor_assign
from vejud.courses.models import MentorMeeting
from vejud.testing import make_user
from vejud.testing.builders import complete_course, make_full_course, make_sensitive_case
from vejud.transfers.services import transfer_request

MISSING = "EX-1999-99999"
SECRETS = ("Hemmelig", "Skjulested", "1705951113", "170595", "Threatened by", "Journal secret")


@pytest.fixture
def course(world):
    case = make_sensitive_case(
        world,
        stage=CaseStatus.ADMITTED,
        cpr="1705951113",
        first_name="Zelda",
        last_name="Quixwort",
        threat_notes="Threatened by former associates.",
        address="Hemmelig Allé 7, 9999 Skjulested",
        journal="Journal secret.",
    )
    return complete_course(world, case).ids()


def casework(ids: dict[str, Any]) -> list[tuple[str, str, object]]:
    """Every casework operation on the case, with a body valid for the right role."""
    version = ids["case"].version
    return [
        (
            "put",
            "/agreement",
            {"parties": ["person", "police", "municipality"], "starts_on": today()},
        ),
        ("post", "/goals", {"life_area": "safety", "goal": "Stay safe"}),
        (
            "post",
            f"/goals/{ids['goal']}/actions",
            {"description": "x", "owner_agency": "police", "deadline": today()},
        ),
        ("patch", f"/actions/{ids['action']}", {"status": "done"}),
        ("post", "/offers", {"offer_type": "therapy"}),
        ("patch", f"/offers/{ids['offer']}", {"status": "active"}),
        ("post", "/mentor", {"mentor": "mentor@test.vejud.dk"}),
        ("post", f"/meetings/{ids['meeting']}/resolution", {"note": "Seen."}),
        ("get", "/reviews", None),
        ("post", "/reviews", review_body()),
        ("post", f"/warnings/{ids['warning']}/resolution", {"note": "Talked."}),
        ("get", "/transfers", None),
        ("post", "/transfers", {"to_unit": "test-unit-b", "handover_note": "Moves."}),
        ("post", f"/transfers/{ids['transfer']}/cancel", None),
        ("put", "/release-date", {"release_on": today()}),
        ("get", "/release-plan", None),
        ("patch", "/release-plan", {"note": "x"}),
        ("post", "/release-plan/transfer", {"handover_note": "x"}),
        ("post", "/closure", {"reason": "completed", "summary": "x", "expected_version": version}),
        ("post", "/reopen", {"note": "x"}),
    ]


def mentor_operations() -> list[tuple[str, str, object]]:
    """The operations on the mentor-view part."""
    meeting = {"met_on": today(), "form": "phone", "duration_minutes": 10}
    return [("get", "/course", None), ("post", "/meetings", meeting)]


def test_other_unit_gets_404_like_missing_on_every_operation(world, course):
    client = CourseApi(world.member_b)
    case = course["case"]
    before = course_state(case)
    for method, tail, body in casework(course) + mentor_operations():
        other = client.call(method, case_url(case, tail), body)
        missing = client.call(method, case_url(MISSING, tail), body)
        assert other.status_code == missing.status_code == 404, (method, tail)
        assert other.json() == missing.json()
        if method != "get":  # the gate answers before the body is read
            bad = client.call(method, case_url(case, tail), {"unexpected": True})
            assert bad.status_code == 404, (method, tail)
    assert course_state(case) == before
    assert not AccessLog.objects.filter(user_id=world.member_b.pk).exists()


@pytest.mark.parametrize("name", ["analyst", "sysadmin", "auditor", "nobody"])
def test_roles_without_case_access_get_403_on_every_operation(world, course, name):
    client = CourseApi(getattr(world, name))
    case = course["case"]
    before = course_state(case)
    for method, tail, body in casework(course) + mentor_operations():
        response = client.call(method, case_url(case, tail), body)
        assert response.status_code == 403, (name, method, tail)
        assert "Quixwort" not in response.content.decode()
    assert course_state(case) == before


def test_mentor_gets_404_on_casework_and_the_mentor_view_only(world, course):
    client = CourseApi(world.mentor)
    case = course["case"]
    before = course_state(case)
    for method, tail, body in casework(course):
        response = client.call(method, case_url(case, tail), body)
        assert response.status_code == 404, (method, tail)
        assert "Quixwort" not in response.content.decode()
    assert course_state(case) == before

    view = client.get(case_url(case, "/course"))
    assert view.status_code == 200
    data = view.json()
    assert set(data) == {
        "view",
        "reference",
        "status",
        "person_name",
        "plan",
        "offers",
        "meetings",
        "can_log",
    }
    assert data["view"] == "mentor"
    assert data["person_name"] == "Zelda Quixwort"
    assert [m["id"] for m in data["meetings"]] == [course["meeting"]]
    body = view.content.decode()
    for secret in SECRETS:
        assert secret not in body
    for hidden in ("agreement", "wishes", "warning", "transfer", "motivation"):
        assert hidden not in body
    log = AccessLog.objects.get(user_id=world.mentor.pk)
    assert (log.part, log.channel, log.case_id) == ("mentor_view", "api", case.pk)


def test_mentor_sees_only_own_meetings(world, course):
    case = course["case"]
    other = make_user("mentor2@test.vejud.dk", "Second Mentor", world.unit_a, Role.MENTOR)
    mentor_assign(actor=world.coordinator_a, case=case, mentor=other)
    second = CourseApi(other)
    logged = second.post(
        case_url(case, "/meetings"), {"met_on": today(), "form": "video", "duration_minutes": 30}
    )
    assert logged.status_code == 201, logged.json()
    mine = second.get(case_url(case, "/course")).json()["meetings"]
    assert [m["id"] for m in mine] == [logged.json()["id"]]
    # The first mentor's period ends today: they still see their own meeting only.
    first = CourseApi(world.mentor).get(case_url(case, "/course")).json()["meetings"]
    assert [m["id"] for m in first] == [course["meeting"]]
    staff = CourseApi(world.member_a).get(case_url(case, "/course")).json()
    assert {m["id"] for m in staff["meetings"]} == {course["meeting"], logged.json()["id"]}
    assert [a["mentor"] for a in staff["mentors"]] == ["Second Mentor", world.mentor.full_name]
    assert staff["current_mentor"]["mentor"] == "Second Mentor"
    assert staff["mentors"][1]["ends_on"] == today()


def test_staff_cannot_log_a_meeting(world, course):
    case = course["case"]
    before = MentorMeeting.objects.count()
    for name in ("member_a", "coordinator_a", "adviser"):
        response = CourseApi(getattr(world, name)).post(
            case_url(case, "/meetings"), {"met_on": today(), "form": "phone", "duration_minutes": 5}
        )
        assert response.status_code == 403, name
    assert MentorMeeting.objects.count() == before


def test_custody_staff_cannot_reach_a_liberty_course(world, course):
    client = CourseApi(world.custody)
    assert client.get(case_url(course["case"], "/course")).status_code == 404
    assert client.get(case_url(course["case"], "/reviews")).status_code == 404


def test_objects_of_another_case_are_404(world, course):
    other = make_full_course(world, first_name="Other", last_name="Case").ids()
    case = course["case"]
    client = CourseApi(world.member_a)
    before = course_state(other["case"])
    for method, tail, body in [
        (
            "post",
            f"/goals/{other['goal']}/actions",
            {"description": "x", "owner_agency": "police", "deadline": today()},
        ),
        ("patch", f"/actions/{other['action']}", {"status": "done"}),
        ("patch", f"/offers/{other['offer']}", {"status": "active"}),
        ("post", f"/meetings/{other['meeting']}/resolution", {}),
        ("post", f"/warnings/{other['warning']}/resolution", {"note": "x"}),
        ("post", f"/transfers/{other['transfer']}/cancel", None),
    ]:
        response = client.call(method, case_url(case, tail), body)
        assert response.status_code == 404, (method, tail)
    assert course_state(other["case"]) == before


def test_malformed_reference_and_ids_are_422(world, course):
    client = CourseApi(world.member_a)
    assert client.get("/api/v1/cases/not-a-ref/course").status_code == 422
    assert client.post("/api/v1/cases/not-a-ref/goals", {"life_area": "x"}).status_code == 422
    case = course["case"]
    assert client.patch(case_url(case, "/actions/0"), {"status": "done"}).status_code == 422
    assert client.patch(case_url(case, "/offers/abc"), {"status": "done"}).status_code == 422


def test_course_reads_are_logged(world, course):
    case = course["case"]
    client = CourseApi(world.adviser)
    for tail, part in (
        ("/course", "course"),
        ("/reviews", "followup"),
        ("/transfers", "transfers"),
        ("/release-plan", "release_plan"),
    ):
        assert client.get(case_url(case, tail)).status_code == 200
        log = AccessLog.objects.filter(user_id=world.adviser.pk).latest("id")
        assert (log.part, log.channel, log.case_id, log.person_id, log.break_glass) == (
            part,
            "api",
            case.pk,
            case.person_id,
            False,
        )


def test_break_glass_read_is_flagged(world, course):
    case = course["case"]
    break_glass_open(
        actor=world.member_b,
        reference=case.reference,
        reason="Urgent threat report from the night shift.",
    )
    client = CourseApi(world.member_b)
    response = client.get(case_url(case, "/course"))
    assert response.status_code == 200
    assert response.json()["view"] == "casework"
    assert AccessLog.objects.get(user_id=world.member_b.pk).break_glass is True


def test_reads_never_show_cpr_threats_journal_or_protected_address(world, course):
    client = CourseApi(world.coordinator_a)  # a named custodian of the address
    case = course["case"]
    for tail in ("/course", "/reviews", "/transfers", "/release-plan"):
        body = client.get(case_url(case, tail)).content.decode()
        for secret in SECRETS:
            assert secret not in body, (tail, secret)


# --- The receiver's side --------------------------------------------------------------------


@pytest.fixture
def to_b(world):
    """A pending transfer of an admitted unit-A case to unit B."""
    data = make_full_course(world, first_name="Moving", last_name="Person").ids()
    case = data["case"]
    CourseApi(world.member_a).post(case_url(case, f"/transfers/{data['transfer']}/cancel"))
    return transfer_request(
        actor=world.member_a, case=case, to_unit=world.unit_b, handover_note="Moves to B."
    )


def test_incoming_lists_only_your_units_transfers(world, to_b):
    receiver = CourseApi(world.member_b).get("/api/v1/transfers/incoming")
    assert receiver.status_code == 200
    (item,) = receiver.json()["items"]
    assert set(item) == {"id", "reference", "from_unit", "to_unit", "handover_note", "requested_at"}
    assert (item["id"], item["reference"], item["from_unit"]["code"]) == (
        to_b.pk,
        to_b.case.reference,
        world.unit_a.code,
    )
    assert "Moving" not in receiver.content.decode()
    log = AccessLog.objects.get(user_id=world.member_b.pk)
    assert (log.part, log.channel, log.case_id) == ("transfer_handover", "api", to_b.case_id)
    for name in ("member_a", "mentor", "custody", "adviser"):
        assert CourseApi(getattr(world, name)).get("/api/v1/transfers/incoming").json() == {
            "items": []
        }, name
    for name in ("analyst", "sysadmin", "auditor", "nobody"):
        response = CourseApi(getattr(world, name)).get("/api/v1/transfers/incoming")
        assert response.status_code == 403, name


def test_only_the_receiver_answers(world, to_b):
    """Anyone else gets exactly the answer for a transfer that does not exist (no oracle)."""
    url = f"/api/v1/transfers/{to_b.pk}"
    case = to_b.case
    before = course_state(case)
    for name in ("member_a", "coordinator_a", "mentor", "custody", "adviser", "head"):
        client = CourseApi(getattr(world, name))
        for action, body in (("accept", {}), ("decline", {"note": "No."}), ("accept", {"x": 1})):
            # The gate answers before the body is read.
            mine = client.post(f"{url}/{action}", body)
            missing = client.post(f"/api/v1/transfers/999999/{action}", body)
            assert (mine.status_code, mine.content) == (missing.status_code, missing.content)
            assert mine.status_code == 404, name
    for name in ("analyst", "sysadmin", "auditor", "nobody"):
        assert CourseApi(getattr(world, name)).post(f"{url}/accept", {}).status_code == 403
    assert course_state(case) == before


def test_answering_a_missing_transfer_is_404(world, to_b):
    client = CourseApi(world.member_b)
    assert client.post("/api/v1/transfers/999999/accept", {}).status_code == 404
    assert client.post("/api/v1/transfers/999999/decline", {"x": 1}).status_code == 404
    assert client.post("/api/v1/transfers/abc/accept", {}).status_code == 422


def test_decline_keeps_the_sender_responsible(world, to_b):
    client = CourseApi(world.coordinator_b)
    assert client.post(f"/api/v1/transfers/{to_b.pk}/decline", {}).status_code == 422
    declined = client.post(f"/api/v1/transfers/{to_b.pk}/decline", {"note": "No capacity."})
    assert declined.status_code == 200, declined.json()
    assert declined.json()["status"] == "declined"
    assert declined.json()["case"] is None
    case = Case.objects.get(pk=to_b.case_id)
    assert case.responsible_unit == world.unit_a
    assert client.get(case_url(case, "/course")).status_code == 404
    again = client.post(f"/api/v1/transfers/{to_b.pk}/accept", {})
    assert again.status_code == 422  # no longer awaiting an answer
    assert Case.objects.get(pk=to_b.case_id).responsible_unit == world.unit_a
    sent = CourseApi(world.member_a).get(case_url(case, "/transfers")).json()
    assert [t["status"] for t in sent["items"]][:1] == ["declined"]
    assert sent["can_request"] is True


def test_custody_staff_receive_a_transfer_to_their_institution(world):
    data = make_full_course(world, first_name="Arrested", last_name="Person").ids()
    case = data["case"]
    member = CourseApi(world.member_a)
    member.post(case_url(case, f"/transfers/{data['transfer']}/cancel"))
    requested = member.post(
        case_url(case, "/transfers"),
        {
            "to_unit": world.dfk.code,
            "to_institution": world.prison.code,
            "handover_note": "Arrested, in custody at the prison.",
        },
    )
    assert requested.status_code == 201, requested.json()
    assert requested.json()["to_track"] == "custody"
    custody = CourseApi(world.custody)
    assert [t["reference"] for t in custody.get("/api/v1/transfers/incoming").json()["items"]] == [
        case.reference
    ]
    assert (
        CourseApi(world.member_b)
        .post(f"/api/v1/transfers/{requested.json()['id']}/accept", {})
        .status_code
        == 404
    )
    accepted = custody.post(f"/api/v1/transfers/{requested.json()['id']}/accept", {})
    assert accepted.status_code == 200, accepted.json()
    case.refresh_from_db()
    assert (case.track, case.institution, case.responsible_unit) == (
        "custody",
        world.prison,
        world.dfk,
    )
    assert custody.get(case_url(case, "/course")).status_code == 200
