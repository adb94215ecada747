"""The exit process end to end through the API, each step by the role that takes it."""

from __future__ import annotations

from vejud.api.tests.process_support import (
    JsonApi,
    case_url,
    consent_body,
    draft_and_sign,
    inquiry_body,
    motivation_body,
    municipality_of,
    suitability_body,
    target_group_body,
    version,
)
from vejud.cases.models import Case, CaseStatus
from vejud.decisions.models import Decision, Referral


def _register_and_start(world, member: JsonApi) -> str:
    """Register an inquiry in unit A, record consent, start the assessment; return the ref."""
    municipality_of(world.unit_a, "Testby A")
    response = member.post("/api/v1/inquiries", inquiry_body())
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["visible"] is True
    assert data["unit"] == {"code": world.unit_a.code, "name": world.unit_a.name}
    assert data["case"]["status"] == "inquiry"
    reference = data["reference"]

    process = member.get(case_url(reference, "/process")).json()
    assert process["stage"] == "inquiry"
    assert process["consent_in_force"] is False
    assert process["actions"]["consent"] is True
    assert len(process["missing"]) == 1  # the consent
    assert {t["target"] for t in process["transitions"]} == {"assessment", "withdrawn"}
    assert process["deadline"]["due_on"] == data["case"]["assessment_due_on"]

    consent = member.post(case_url(reference, "/consents"), consent_body())
    assert consent.status_code == 201, consent.json()
    assert consent.json()["in_force"] is True
    assert member.get(case_url(reference, "/process")).json()["missing"] == []

    started = member.post(
        case_url(reference, "/transitions"),
        {"target": "assessment", "expected_version": data["case"]["version"]},
    )
    assert started.status_code == 200, started.json()
    assert started.json()["status"] == "assessment"
    return reference


def test_inquiry_to_admission(world):
    member = JsonApi(world.member_a)
    coordinator = JsonApi(world.coordinator_a)
    reference = _register_and_start(world, member)

    for kind, body in (
        ("target_group", target_group_body(member, reference)),
        ("motivation", motivation_body()),
        ("suitability", suitability_body()),
    ):
        signed = draft_and_sign(member, reference, kind, body)
        assert signed.status_code == 200, signed.json()
        assert signed.json()["kind"] == kind
        assert signed.json()["signed"] is True
        assert signed.json()["signed_by"] == world.member_a.full_name

    process = coordinator.get(case_url(reference, "/process")).json()
    assert process["missing"] == []
    assert process["actions"]["decide"] is True
    assert all(item["signed"]["version"] == 1 for item in process["instruments"])

    refused_for_member = member.post(
        case_url(reference, "/decision"),
        {"outcome": "admit", "reasoning": "All signed.", "expected_version": process["version"]},
    )
    assert refused_for_member.status_code == 403

    admitted = coordinator.post(
        case_url(reference, "/decision"),
        {"outcome": "admit", "reasoning": "All signed.", "expected_version": process["version"]},
    )
    assert admitted.status_code == 201, admitted.json()
    result = admitted.json()
    assert result["case"]["status"] == "admitted"
    assert result["decision"]["outcome"] == "admit"
    assert result["decision"]["decided_by"] == world.coordinator_a.full_name
    assert result["decision"]["rests_on"] == {
        "target_group": 1,
        "motivation": 1,
        "suitability": 1,
    }
    assert Case.objects.get(reference=reference).status == CaseStatus.ADMITTED

    after = member.get(case_url(reference, "/process")).json()
    assert after["stage"] == "course"
    assert [d["outcome"] for d in after["decisions"]] == ["admit"]
    assert after["actions"]["decide"] is False
    assert after["actions"]["letters"] is True


def test_refusal_referral_information_and_overturn(world):
    member = JsonApi(world.member_a)
    coordinator = JsonApi(world.coordinator_a)
    adviser = JsonApi(world.adviser)
    decision_maker = JsonApi(world.decision_maker)
    reference = _register_and_start(world, member)

    signed = draft_and_sign(member, reference, "motivation", motivation_body(level=1))
    assert signed.status_code == 200, signed.json()
    refused = coordinator.post(
        case_url(reference, "/decision"),
        {
            "outcome": "refuse",
            "grounds": ["not_motivated"],
            "reasoning": "Motivation too weak.",
            "expected_version": version(coordinator, reference),
        },
    )
    assert refused.status_code == 201, refused.json()
    assert refused.json()["decision"]["grounds"] == ["not_motivated"]
    assert refused.json()["decision"]["rests_on"]["motivation"] == 1
    assert refused.json()["case"]["status"] == "refused"

    referred = member.post(
        case_url(reference, "/referral"),
        {
            "requested_by_person": True,
            "note": "He asks for the final decision.",
            "expected_version": refused.json()["case"]["version"],
        },
    )
    assert referred.status_code == 201, referred.json()
    assert referred.json()["case"]["status"] == "referred"
    assert referred.json()["referral"]["decided"] is False

    tasks = decision_maker.get("/api/v1/tasks").json()["items"]
    assert {"kind": "referral_awaiting", "reference": reference} in [
        {"kind": t["kind"], "reference": t["reference"]} for t in tasks
    ]

    process = decision_maker.get(case_url(reference, "/process")).json()
    assert process["actions"]["final_decide"] is True
    assert process["referral"]["note"] == "He asks for the final decision."
    denied = adviser.post(
        case_url(reference, "/final-decision"),
        {"outcome": "overturn", "reasoning": "Admit.", "expected_version": process["version"]},
    )
    assert denied.status_code == 403
    assert (
        JsonApi(world.adviser)
        .get(case_url(reference, "/process"))
        .json()["actions"]["final_decide"]
        is False
    )

    asked = decision_maker.post(
        case_url(reference, "/information-requests"),
        {"question": "Has he kept the appointments?"},
    )
    assert asked.status_code == 201, asked.json()
    request_id = asked.json()["id"]
    member_tasks = member.get("/api/v1/tasks").json()["items"]
    assert ("information_requested", reference) in [
        (t["kind"], t["reference"]) for t in member_tasks
    ]

    answered = member.post(
        case_url(reference, f"/information-requests/{request_id}/answer"),
        {"answer": "Yes, every one since the refusal."},
    )
    assert answered.status_code == 200, answered.json()
    assert answered.json()["answered_by"] == world.member_a.full_name

    overturned = decision_maker.post(
        case_url(reference, "/final-decision"),
        {
            "outcome": "overturn",
            "reasoning": "The answers show a stronger motivation.",
            "expected_version": version(decision_maker, reference),
        },
    )
    assert overturned.status_code == 201, overturned.json()
    assert overturned.json()["decision"]["level"] == "final"
    assert overturned.json()["case"]["status"] == "admitted"

    case = Case.objects.get(reference=reference)
    assert case.status == CaseStatus.ADMITTED
    assert [d.outcome for d in Decision.objects.filter(case=case)] == ["refuse", "overturn"]
    assert Referral.objects.get(case=case).final_decision is not None
    after = member.get(case_url(reference, "/process")).json()
    assert after["referral"]["decided"] is True
    assert [r["answer"] for r in after["information_requests"]] == [
        "Yes, every one since the refusal."
    ]


def test_custody_inquiry_goes_to_dfk_and_custody_staff_decide(world):
    custody = JsonApi(world.custody)
    response = custody.post(
        "/api/v1/inquiries",
        inquiry_body(municipality=None, in_custody=True, institution=world.prison.code),
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["unit"]["code"] == world.dfk.code
    assert data["case"]["track"] == "custody"
    assert data["case"]["institution"]["code"] == world.prison.code
    reference = data["reference"]
    assert custody.post(case_url(reference, "/consents"), consent_body()).status_code == 201
    custody.post(
        case_url(reference, "/transitions"),
        {"target": "assessment", "expected_version": data["case"]["version"]},
    )
    signed = draft_and_sign(
        custody, reference, "motivation", motivation_body(parole_only_motive=True, level=1)
    )
    assert signed.json()["parole_only_motive"] is True
    refused = custody.post(
        case_url(reference, "/decision"),
        {
            "outcome": "refuse",
            "grounds": ["not_motivated"],
            "reasoning": "Parole is the only visible motive.",
            "expected_version": version(custody, reference),
        },
    )
    assert refused.status_code == 201, refused.json()
