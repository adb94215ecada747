"""A whole exit course through the API, each step by the role that takes it."""

from __future__ import annotations

from vejud.api.tests.course_support import CourseApi, case_url, review_body, today
from vejud.api.tests.process_support import version
from vejud.cases.models import Case, CaseStatus
from vejud.courses.models import CaseClosure
from vejud.testing import make_assessed_case


def _tasks(client: CourseApi, kind: str) -> list[str]:
    return [
        t["reference"] for t in client.get("/api/v1/tasks").json()["items"] if t["kind"] == kind
    ]


def test_agreement_to_reopening(world):
    member = CourseApi(world.member_a)
    coordinator = CourseApi(world.coordinator_a)
    mentor = CourseApi(world.mentor)
    receiver = CourseApi(world.member_b)
    coordinator_b = CourseApi(world.coordinator_b)
    case = make_assessed_case(world, first_name="Zelda", last_name="Quixwort")
    ref = case.reference

    admitted = coordinator.post(
        case_url(ref, "/decision"),
        {"outcome": "admit", "reasoning": "All signed.", "expected_version": version(member, ref)},
    )
    assert admitted.status_code == 201, admitted.json()

    # The exit agreement starts the course.
    agreement = member.put(
        case_url(ref, "/agreement"),
        {
            "parties": ["person", "police", "municipality"],
            "starts_on": today(),
            "expected_months": 9,
            "signed_on": today(),
            "terms": "Education, housing, mentor.",
        },
    )
    assert agreement.status_code == 200, agreement.json()
    assert agreement.json()["parties"] == ["municipality", "person", "police"]
    assert agreement.json()["created_by"] == world.member_a.full_name

    # The plan: a goal and an action owned by the coordinator.
    course = member.get(case_url(ref, "/course")).json()
    assert course["view"] == "casework"
    assert course["course_started_on"] == today()
    assert course["gaps"] == ["work_education"]  # wished for, not yet offered
    assert world.coordinator_a.email in [p["email"] for p in course["owner_candidates"]]
    goal = member.post(
        case_url(ref, "/goals"), {"life_area": "work_education", "goal": "Finish school"}
    )
    assert goal.status_code == 201, goal.json()
    action = member.post(
        case_url(ref, f"/goals/{goal.json()['id']}/actions"),
        {
            "description": "Enrol in the autumn class",
            "owner_agency": "municipality",
            "owner": world.coordinator_a.email,
            "deadline": today(),
        },
    )
    assert action.status_code == 201, action.json()
    assert action.json()["owner"] == world.coordinator_a.full_name
    changed = member.patch(
        case_url(ref, f"/actions/{action.json()['id']}"), {"status": "in_progress"}
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["status"] == "in_progress"

    # The offer meets the wish: the gap closes.
    offer = member.post(
        case_url(ref, "/offers"),
        {"offer_type": "work_education", "provider": "Jobcenter", "starts_on": today()},
    )
    assert offer.status_code == 201, offer.json()
    assert (
        member.patch(case_url(ref, f"/offers/{offer.json()['id']}"), {"status": "active"}).json()[
            "status"
        ]
        == "active"
    )
    course = member.get(case_url(ref, "/course")).json()
    assert course["gaps"] == []
    assert course["wishes"] == [
        {"code": "work_education", "name": "Support for work or education", "offered": True}
    ]
    assert course["wishes_from_version"] == 1
    assert [g["goal"] for a in course["plan"] for g in a["goals"]] == ["Finish school"]

    # The mentor.
    assigned = coordinator.post(case_url(ref, "/mentor"), {"mentor": world.mentor.email})
    assert assigned.status_code == 201, assigned.json()
    assert assigned.json()["current"] is True
    seen = mentor.get(case_url(ref, "/course"))
    assert seen.status_code == 200
    view = seen.json()
    assert view["view"] == "mentor"
    assert view["person_name"] == "Zelda Quixwort"
    assert view["can_log"] is True
    assert [o["offer_type"] for o in view["offers"]] == ["work_education"]
    logged = mentor.post(
        case_url(ref, "/meetings"),
        {
            "met_on": today(),
            "form": "in_person",
            "duration_minutes": 45,
            "note": "Worried about an old friend calling.",
            "needs_attention": True,
        },
    )
    assert logged.status_code == 201, logged.json()
    assert ref in _tasks(coordinator, "mentor_attention")
    course = coordinator.get(case_url(ref, "/course")).json()
    assert [m["id"] for m in course["attention"]] == [logged.json()["id"]]
    resolved = coordinator.post(
        case_url(ref, f"/meetings/{logged.json()['id']}/resolution"), {"note": "Called him."}
    )
    assert resolved.status_code == 200, resolved.json()
    assert resolved.json()["attention_resolved_by"] == world.coordinator_a.full_name
    assert ref not in _tasks(coordinator, "mentor_attention")

    # A review with a motivation dip (signed assessment: 4, now 2) raises an early warning.
    review = member.post(case_url(ref, "/reviews"), review_body(motivation_level=2))
    assert review.status_code == 201, review.json()
    (warning,) = review.json()["warnings"]
    assert warning["reason"] == "motivation_drop"
    assert ref in _tasks(coordinator, "early_warning")
    reviews = member.get(case_url(ref, "/reviews")).json()
    assert [w["id"] for w in reviews["open_warnings"]] == [warning["id"]]
    assert reviews["next_due_on"] is not None
    assert (
        coordinator.post(
            case_url(ref, f"/warnings/{warning['id']}/resolution"), {"note": "Extra meeting held."}
        ).json()["resolved_by"]
        == world.coordinator_a.full_name
    )
    assert member.get(case_url(ref, "/reviews")).json()["open_warnings"] == []
    assert ref not in _tasks(coordinator, "early_warning")

    # The person moves: a transfer to unit B, accepted by unit B.
    requested = member.post(
        case_url(ref, "/transfers"),
        {"to_unit": world.unit_b.code, "handover_note": "Moves to district B in May."},
    )
    assert requested.status_code == 201, requested.json()
    transfer_id = requested.json()["id"]
    assert requested.json()["status"] == "pending"
    assert receiver.get(case_url(ref, "/course")).status_code == 404  # not theirs yet
    incoming = receiver.get("/api/v1/transfers/incoming").json()["items"]
    assert [(t["id"], t["reference"], t["handover_note"]) for t in incoming] == [
        (transfer_id, ref, "Moves to district B in May.")
    ]
    accepted = receiver.post(f"/api/v1/transfers/{transfer_id}/accept", {"note": "Welcome."})
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "accepted"
    assert Case.objects.get(reference=ref).responsible_unit == world.unit_b
    assert member.get(case_url(ref, "/course")).status_code == 404  # no longer theirs
    course = coordinator_b.get(case_url(ref, "/course")).json()

    # Closure and reopening.
    closed = coordinator_b.post(
        case_url(ref, "/closure"),
        {
            "reason": "completed",
            "summary": "Finished school, new job, no contact with the group.",
            "expected_version": course["version"],
        },
    )
    assert closed.status_code == 201, closed.json()
    assert closed.json()["case"]["status"] == "closed"
    assert closed.json()["closure"]["closed_by"] == world.coordinator_b.full_name
    assert CaseClosure.objects.get(case__reference=ref).reason == "completed"
    reopened = receiver.post(case_url(ref, "/reopen"), {"note": "He asks for help again."})
    assert reopened.status_code == 201, reopened.json()
    new_ref = reopened.json()["case"]["reference"]
    assert new_ref != ref
    assert reopened.json()["previous_reference"] == ref
    assert Case.objects.get(reference=new_ref).previous_case.reference == ref
    assert receiver.get(case_url(new_ref, "/course")).json()["previous_reference"] == ref
    assert Case.objects.get(reference=ref).status == CaseStatus.CLOSED
