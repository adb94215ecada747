"""Writes through the course API: stale versions, strict bodies, the services' own refusals,
PATCH semantics, good release."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from vejud.actions.declare import NOT_NOW
from vejud.api.api import api
from vejud.api.tests.course_support import (
    CourseApi,
    admitted,
    case_url,
    course_state,
    review_body,
    today,
)
from vejud.cases.models import Case, CaseStatus
from vejud.cases.services import mentor_assign
from vejud.testing import give_consent, make_case
from vejud.testing.builders import add_plan, move_to_custody
from vejud.transfers.models import ReleasePlan, Transfer, TransferStatus
from vejud.transfers.services import release_plans_run

FAR = "9999-12-31"


@pytest.fixture
def case(world):
    case = admitted(world, first_name="Ida", last_name="Lund")
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    case.refresh_from_db()
    return case


@pytest.fixture
def ids(world, case):
    action, offer = add_plan(world, case)
    return {"goal": action.goal_id, "action": action.pk, "offer": offer.pk}


# --- Closure and reopening -----------------------------------------------------------------


def test_closure_with_stale_version_is_409_and_changes_nothing(world, case):
    client = CourseApi(world.member_a)
    client.post(case_url(case, "/goals"), {"life_area": "crime", "goal": "No new charges"})
    before = course_state(case)
    stale = client.post(
        case_url(case, "/closure"),
        {"reason": "completed", "summary": "Done.", "expected_version": case.version - 1},
    )
    assert stale.status_code == 409
    assert stale.json()["detail"]
    assert course_state(case) == before
    assert not hasattr(Case.objects.get(pk=case.pk), "closure")


def test_closure_of_a_case_without_a_course_is_409(world):
    inquiry = make_case(world.member_a, world.unit_a)
    response = CourseApi(world.member_a).post(
        case_url(inquiry, "/closure"),
        {"reason": "completed", "summary": "Done.", "expected_version": inquiry.version},
    )
    assert response.status_code == 409
    assert Case.objects.get(pk=inquiry.pk).status == CaseStatus.INQUIRY


def test_every_closure_reason_closes(world):
    for reason in (
        "completed",
        "interrupted",
        "stopped_crime",
        "stopped_agreement",
        "moved_abroad",
        "deceased",
    ):
        case = admitted(world, last_name=f"Reason{reason}")
        response = CourseApi(world.member_a).post(
            case_url(case, "/closure"),
            {"reason": reason, "summary": "Why.", "expected_version": case.version},
        )
        assert response.status_code == 201, (reason, response.json())
        assert response.json()["closure"]["reason"] == reason


def test_reopening_an_open_case_is_not_possible_now(world, case):
    response = CourseApi(world.member_a).post(case_url(case, "/reopen"), {})
    assert response.status_code == 409  # the state table: only an ended case is reopened
    assert Case.objects.filter(person_id=case.person_id).count() == 1


# --- Strict bodies -------------------------------------------------------------------------


def bad_bodies(ids: dict[str, Any]) -> list[tuple[str, str, object]]:
    """Bodies refused before any service runs: 422 and nothing changes."""
    meeting = {"met_on": today(), "form": "phone", "duration_minutes": 10}
    return [
        ("put", "/agreement", {}),
        ("put", "/agreement", {"parties": "person", "starts_on": today()}),
        ("put", "/agreement", {"parties": ["person", "gang"], "starts_on": today()}),
        ("put", "/agreement", {"parties": ["person"], "starts_on": "01-02-2026"}),
        ("put", "/agreement", {"parties": ["person"], "starts_on": FAR}),
        ("put", "/agreement", {"parties": ["person"], "starts_on": today(), "expected_months": 0}),
        ("put", "/agreement", {"parties": ["person"], "starts_on": today(), "extra": 1}),
        ("post", "/goals", {"life_area": "moon", "goal": "x"}),
        ("post", "/goals", {"life_area": "housing", "goal": ""}),
        ("post", "/goals", {"life_area": "housing", "goal": "nul\u0000"}),
        ("post", f"/goals/{ids['goal']}/actions", {"description": "x", "owner_agency": "police"}),
        (
            "post",
            f"/goals/{ids['goal']}/actions",
            {"description": "x", "owner_agency": "police", "deadline": today(), "owner": "nobody"},
        ),
        ("patch", f"/actions/{ids['action']}", {}),
        ("patch", f"/actions/{ids['action']}", {"status": "finished"}),
        ("patch", f"/actions/{ids['action']}", {"deadline": 20260101}),
        ("post", "/offers", {"offer_type": "no such code!"}),
        ("post", "/offers", {"offer_type": "therapy", "status": 1}),
        ("patch", f"/offers/{ids['offer']}", {}),
        ("patch", f"/offers/{ids['offer']}", {"result": ["x"]}),
        ("post", "/mentor", {"mentor": "not-an-email"}),
        ("post", "/meetings", {**meeting, "duration_minutes": 0}),
        ("post", "/meetings", {**meeting, "duration_minutes": "10"}),
        ("post", "/meetings", {**meeting, "form": "carrier pigeon"}),
        ("post", "/meetings", {**meeting, "needs_attention": "yes"}),
        ("post", "/reviews", review_body(crime_stopped=4)),
        ("post", "/reviews", review_body(motivation_level=6)),
        ("post", "/reviews", review_body(risk_events=[{"kind": "threat"}])),
        ("post", "/reviews", review_body(risk_events=[{"kind": "gossip", "occurred_on": today()}])),
        ("post", "/transfers", {"to_unit": "test-unit-b"}),
        ("post", "/transfers", {"to_unit": "test unit b", "handover_note": "x"}),
        ("post", "/transfers", {"to_unit": "test-unit-b", "handover_note": "x", "to_track": "sea"}),
        ("put", "/release-date", {}),
        ("put", "/release-date", {"release_on": "tomorrow"}),
        ("patch", "/release-plan", {}),
        ("patch", "/release-plan", {"checklist": {"housing": "yes"}}),
        ("patch", "/release-plan", {"checklist": {"car": True}}),
        ("post", "/release-plan/transfer", {}),
        ("post", "/closure", {"reason": "completed", "summary": "x"}),
        ("post", "/closure", {"reason": "bored", "summary": "x", "expected_version": 1}),
        ("post", "/closure", {"reason": "completed", "summary": "x", "expected_version": "1"}),
        ("post", "/reopen", {"note": 1}),
    ]


def test_invalid_bodies_are_422_and_change_nothing(world, case, ids):
    before = course_state(case)
    member, mentor = CourseApi(world.member_a), CourseApi(world.mentor)
    for method, tail, body in bad_bodies(ids):
        client = mentor if tail == "/meetings" else member
        response = client.call(method, case_url(case, tail), body)
        assert response.status_code == 422, (method, tail, body, response.json())
    assert course_state(case) == before


def test_invalid_answer_bodies_are_422(world, case):
    CourseApi(world.member_a).post(
        case_url(case, "/transfers"), {"to_unit": world.unit_b.code, "handover_note": "Moves."}
    )
    transfer = Transfer.objects.get(case=case)
    client = CourseApi(world.member_b)
    for path, body in (
        ("accept", {"note": 5}),
        ("accept", {"note": "x", "force": True}),
        ("decline", {}),
        ("decline", {"note": ""}),
    ):
        response = client.post(f"/api/v1/transfers/{transfer.pk}/{path}", body)
        assert response.status_code == 422, (path, body)
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.PENDING


# --- The services' own refusals: 422 with their messages -------------------------------------


def _refused(response: Any, code: str) -> None:
    assert response.status_code == 422, response.json()
    assert code in [d["type"] for d in response.json()["detail"]], response.json()


def _not_now(response: Any) -> None:
    """The action is not possible in the case's state (its action table): 409 with why."""
    assert response.status_code == 409, response.json()
    assert response.json()["detail"] == str(NOT_NOW)


def test_service_refusals_are_422_and_change_nothing(world, case, ids):
    member = CourseApi(world.member_a)
    before = course_state(case)
    _refused(
        member.put(case_url(case, "/agreement"), {"parties": ["police"], "starts_on": today()}),
        "parties",
    )
    _refused(member.post(case_url(case, "/offers"), {"offer_type": "no-such-offer"}), "offer_type")
    _refused(
        member.post(
            case_url(case, "/offers"),
            {"offer_type": "therapy", "starts_on": today(), "ends_on": "2000-01-01"},
        ),
        "period",
    )
    _refused(member.post(case_url(case, "/mentor"), {"mentor": world.member_b.email}), "mentor")
    _refused(
        member.post(
            case_url(case, f"/goals/{ids['goal']}/actions"),
            {
                "description": "x",
                "owner_agency": "police",
                "deadline": today(),
                "owner": world.member_b.email,  # cannot see the case
            },
        ),
        "owner",
    )
    _refused(
        member.post(case_url(case, "/reviews"), review_body(custody_behaviour=2)),
        "custody_behaviour",
    )
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    _refused(
        member.post(case_url(case, "/reviews"), review_body(reviewed_on=tomorrow)), "reviewed_on"
    )
    _refused(
        CourseApi(world.mentor).post(
            case_url(case, "/meetings"),
            {"met_on": tomorrow, "form": "phone", "duration_minutes": 5},
        ),
        "met_on",
    )
    _refused(member.put(case_url(case, "/release-date"), {"release_on": today()}), "track")
    _refused(
        member.post(
            case_url(case, "/transfers"), {"to_unit": "no-such-unit", "handover_note": "x"}
        ),
        "to_unit",
    )
    _refused(
        member.post(
            case_url(case, "/transfers"), {"to_unit": world.unit_a.code, "handover_note": "x"}
        ),
        "same",
    )
    assert course_state(case) == before


def test_course_writes_need_an_active_course(world):
    inquiry = make_case(world.member_a, world.unit_a)
    member = CourseApi(world.member_a)
    before = course_state(inquiry)
    # The course actions are not possible before admission (409, the state table) ...
    agreement = member.put(
        case_url(inquiry, "/agreement"),
        {"parties": ["person", "police", "municipality"], "starts_on": today()},
    )
    assert agreement.status_code == 409
    goal = member.post(case_url(inquiry, "/goals"), {"life_area": "housing", "goal": "x"})
    assert goal.status_code == 409
    # ... and neither is a follow-up review (409 from its action table; was the service's 422).
    assert member.post(case_url(inquiry, "/reviews"), review_body()).status_code == 409
    assert course_state(inquiry) == before
    course = member.get(case_url(inquiry, "/course")).json()
    assert course["actions"]["edit"] is False
    assert course["owner_candidates"] == []


def test_transfer_without_consent_covering_the_receiver_is_422(world):
    case = make_case(world.member_a, world.unit_a, last_name="NoConsent")
    give_consent(world.member_a, case, agencies=["police"])
    response = CourseApi(world.member_a).post(
        case_url(case, "/transfers"), {"to_unit": world.unit_b.code, "handover_note": "Moves."}
    )
    assert response.status_code == 422
    assert not Transfer.objects.filter(case=case).exists()


def test_a_second_pending_transfer_is_refused(world, case):
    member = CourseApi(world.member_a)
    body = {"to_unit": world.unit_b.code, "handover_note": "Moves."}
    first = member.post(case_url(case, "/transfers"), body)
    assert first.status_code == 201
    assert member.get(case_url(case, "/transfers")).json()["can_request"] is False
    # Not possible while one is pending (transfers/actions.py): 409, as the page.
    _not_now(member.post(case_url(case, "/transfers"), body))
    assert Transfer.objects.filter(case=case).count() == 1
    cancelled = member.post(case_url(case, f"/transfers/{first.json()['id']}/cancel"))
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["decided_by"] == world.member_a.full_name
    _not_now(member.post(case_url(case, f"/transfers/{first.json()['id']}/cancel")))
    assert Transfer.objects.get(case=case).status == TransferStatus.CANCELLED


# --- PATCH semantics -------------------------------------------------------------------------


def test_patch_changes_only_what_is_given(world, case, ids):
    member = CourseApi(world.member_a)
    url = case_url(case, f"/actions/{ids['action']}")
    assert member.patch(url, {"outcome": "Applied twice."}).json()["status"] == "planned"
    done = member.patch(url, {"status": "done"}).json()
    assert (done["status"], done["outcome"]) == ("done", "Applied twice.")
    moved = member.patch(url, {"deadline": "2030-01-01"}).json()
    assert (moved["status"], moved["outcome"], moved["deadline"]) == (
        "done",
        "Applied twice.",
        "2030-01-01",
    )
    offer_url = case_url(case, f"/offers/{ids['offer']}")
    assert member.patch(offer_url, {"result": "Helped."}).json()["status"] == "planned"
    ended = member.patch(offer_url, {"status": "completed", "ends_on": today()}).json()
    assert (ended["status"], ended["result"], ended["ends_on"]) == ("completed", "Helped.", today())


def test_an_empty_patch_is_refused_as_the_schema_says(world, case, ids):
    schemas = api.get_openapi_schema()["components"]["schemas"]
    member = CourseApi(world.member_a)
    for path, schema in (
        (f"/actions/{ids['action']}", "ActionPatchIn"),
        (f"/offers/{ids['offer']}", "OfferPatchIn"),
        ("/release-plan", "ReleasePlanIn"),
    ):
        assert schemas[schema]["minProperties"] == 1
        response = member.patch(case_url(case, path), {})
        assert response.status_code == 422
        assert "at least one field" in response.json()["detail"][0]["msg"]


def test_overdue_action_is_marked(world, case, ids):
    member = CourseApi(world.member_a)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    member.patch(case_url(case, f"/actions/{ids['action']}"), {"deadline": yesterday})
    course = member.get(case_url(case, "/course")).json()
    (action,) = [a for area in course["plan"] for g in area["goals"] for a in g["actions"]]
    assert action["overdue"] is True


# --- Follow-up -------------------------------------------------------------------------------


def test_review_with_a_risk_event_raises_a_warning(world, case):
    member = CourseApi(world.member_a)
    review = member.post(
        case_url(case, "/reviews"),
        review_body(
            crime_stopped_evidence="No new charges.",
            risk_events=[{"kind": "threat", "occurred_on": today(), "note": "Text message."}],
        ),
    )
    assert review.status_code == 201, review.json()
    data = review.json()
    assert data["crime_stopped_evidence"] == "No new charges."
    assert data["risk_events"] == [
        {"kind": "threat", "occurred_on": today(), "note": "Text message."}
    ]
    assert [w["reason"] for w in data["warnings"]] == ["risk_event"]
    quiet = member.post(case_url(case, "/reviews"), review_body(crime_stopped=2))
    assert quiet.json()["warnings"] == []
    reviews = member.get(case_url(case, "/reviews")).json()
    assert [r["id"] for r in reviews["reviews"]] == [quiet.json()["id"], data["id"]]
    assert reviews["can_record"] is True
    resolve = member.post(
        case_url(case, f"/warnings/{data['warnings'][0]['id']}/resolution"),
        {"note": "Police told."},
    )
    assert resolve.status_code == 200
    _refused(
        member.post(
            case_url(case, f"/warnings/{data['warnings'][0]['id']}/resolution"), {"note": "Again."}
        ),
        "resolved",
    )


def test_custody_review_rates_change_four(world):
    case = move_to_custody(world, admitted(world, last_name="Custody"))
    member = CourseApi(world.custody)
    _refused(member.post(case_url(case, "/reviews"), review_body()), "custody_behaviour")
    saved = member.post(case_url(case, "/reviews"), review_body(custody_behaviour=3))
    assert saved.status_code == 201, saved.json()
    assert saved.json()["custody_behaviour"] == 3


# --- Good release ----------------------------------------------------------------------------


def test_good_release_through_the_api(world):
    case = admitted(world, last_name="Released")
    custody = CourseApi(world.member_a)
    # The case goes to custody first: a transfer to DfK, accepted by custody staff.
    moved = custody.post(
        case_url(case, "/transfers"),
        {
            "to_unit": world.dfk.code,
            "to_track": "custody",
            "to_institution": world.prison.code,
            "handover_note": "Sentenced.",
        },
    )
    assert moved.status_code == 201, moved.json()
    staff = CourseApi(world.custody)
    assert staff.post(f"/api/v1/transfers/{moved.json()['id']}/accept", {}).status_code == 200

    state = staff.get(case_url(case, "/release-plan")).json()
    assert state["plan"] is None
    assert staff.patch(case_url(case, "/release-plan"), {"note": "x"}).status_code == 409
    assert (
        staff.post(case_url(case, "/release-plan/transfer"), {"handover_note": "x"}).status_code
        == 409
    )
    release_on = (timezone.localdate() + timedelta(days=30)).isoformat()
    dated = staff.put(case_url(case, "/release-date"), {"release_on": release_on})
    assert dated.status_code == 200, dated.json()
    assert dated.json()["release_on"] == release_on
    assert release_plans_run() == 0  # within 60 days the plan is made with the date

    plan = staff.get(case_url(case, "/release-plan")).json()["plan"]
    assert plan["missing"] == list(ReleasePlan.CHECKLIST)
    _refused(
        staff.post(case_url(case, "/release-plan/transfer"), {"handover_note": "Out in May."}),
        "receiving_unit",
    )
    updated = staff.patch(
        case_url(case, "/release-plan"),
        {
            "checklist": {"housing": True, "income": True},
            "receiving_unit": world.unit_b.code,
            "note": "Flat found.",
        },
    )
    assert updated.status_code == 200, updated.json()
    assert updated.json()["missing"] == ["treatment", "mentor_from_day_one", "unit_informed"]
    assert updated.json()["receiving_unit"]["code"] == world.unit_b.code
    kept = staff.patch(case_url(case, "/release-plan"), {"checklist": {"treatment": True}}).json()
    assert (kept["note"], kept["checklist"]["housing"]) == ("Flat found.", True)
    _refused(
        staff.patch(case_url(case, "/release-plan"), {"receiving_unit": world.dfk.code}),
        "receiving_unit",
    )

    requested = staff.post(
        case_url(case, "/release-plan/transfer"), {"handover_note": "Released in a month."}
    )
    assert requested.status_code == 201, requested.json()
    assert (requested.json()["to_unit"]["code"], requested.json()["to_track"]) == (
        world.unit_b.code,
        "liberty",
    )
    plan = staff.get(case_url(case, "/release-plan")).json()["plan"]
    assert plan["transfer"]["id"] == requested.json()["id"]
    accepted = CourseApi(world.coordinator_b).post(
        f"/api/v1/transfers/{requested.json()['id']}/accept", {"note": "Ready."}
    )
    assert accepted.status_code == 200, accepted.json()
    case.refresh_from_db()
    # Unit B takes over now; the track changes on the release date (the daily job).
    assert (case.track, case.responsible_unit, str(case.release_on)) == (
        "custody",
        world.unit_b,
        release_on,
    )
    assert accepted.json()["case"]["reference"] == case.reference
    items = CourseApi(world.coordinator_b).get(case_url(case, "/transfers")).json()["items"]
    assert items[0]["track_changes_on"] == release_on
