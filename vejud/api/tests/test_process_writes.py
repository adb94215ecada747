"""Writes through the process API: stale versions, illegal steps, strict bodies, instruments."""

from __future__ import annotations

import pytest

from vejud.api.api import api
from vejud.api.tests.process_support import (
    JsonApi,
    case_url,
    consent_body,
    draft_and_sign,
    motivation_body,
    suitability_body,
    target_group_body,
)
from vejud.assessments.models import MotivationAssessment, SuitabilityAssessment
from vejud.audit.models import AuditEvent
from vejud.cases.models import Case, CaseStatus
from vejud.cases.services import case_transition
from vejud.decisions.models import Decision, Referral
from vejud.frontdoor.models import SubmissionStatus, Whereabouts
from vejud.frontdoor.services import public_inquiry_submit
from vejud.intake.models import Consent
from vejud.organisations.models import Municipality
from vejud.testing import give_consent, make_assessed_case, make_case
from vejud.testing.advice import ask_about_case


@pytest.fixture
def inquiry(world):
    """A fresh unit-A case in status inquiry, without consent."""
    return make_case(world.member_a, world.unit_a, first_name="Ida", last_name="Lund")


@pytest.fixture
def assessing(world, inquiry):
    """The inquiry, with consent, in assessment."""
    give_consent(world.member_a, inquiry)
    return case_transition(actor=world.member_a, case=inquiry, target="assessment")


def _state(case: Case) -> tuple[object, ...]:
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.status,
        fresh.version,
        Decision.objects.filter(case=case).count(),
        Consent.objects.filter(case=case).count(),
        MotivationAssessment.objects.filter(case=case).count(),
        AuditEvent.objects.filter(case_id=case.pk).count(),
    )


# --- Transitions -------------------------------------------------------------------------


def test_transition_with_stale_version_is_409_and_changes_nothing(world, inquiry):
    client = JsonApi(world.member_a)
    assert (
        client.post(
            case_url(inquiry, "/transitions"), {"target": "assessment", "expected_version": 1}
        ).status_code
        == 200
    )
    before = _state(inquiry)
    stale = client.post(
        case_url(inquiry, "/transitions"),
        {"target": "dropped", "reason": "Stopped coming.", "expected_version": 1},
    )
    assert stale.status_code == 409
    assert stale.json()["detail"]  # "the case changed, reload"
    assert _state(inquiry) == before


def test_illegal_transition_is_409(world, inquiry):
    response = JsonApi(world.member_a).post(
        case_url(inquiry, "/transitions"),
        {"target": "refusal_upheld", "reason": "x", "expected_version": inquiry.version},
    )
    assert response.status_code == 409
    assert Case.objects.get(pk=inquiry.pk).status == CaseStatus.INQUIRY


def test_decision_transition_is_refused_as_plain_transition(world, assessing):
    response = JsonApi(world.coordinator_a).post(
        case_url(assessing, "/transitions"),
        {"target": "admitted", "expected_version": assessing.version},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "use_decision"


def test_reason_required_is_422(world, inquiry):
    response = JsonApi(world.member_a).post(
        case_url(inquiry, "/transitions"),
        {"target": "withdrawn", "reason": "  ", "expected_version": inquiry.version},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "reason_required"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"target": "assessment"},
        {"target": "assessment", "expected_version": "1"},
        {"target": "assessment", "expected_version": 1.5},
        {"target": "assessment", "expected_version": True},
        {"target": "assessment", "expected_version": 0},
        {"target": "nowhere", "expected_version": 1},
        {"target": "assessment", "expected_version": 1, "force": True},
        {"target": ["assessment"], "expected_version": 1},
    ],
)
def test_invalid_transition_bodies_are_422_and_change_nothing(world, inquiry, body):
    before = _state(inquiry)
    response = JsonApi(world.member_a).post(case_url(inquiry, "/transitions"), body)
    assert response.status_code == 422, response.json()
    assert _state(inquiry) == before


# --- Consent -----------------------------------------------------------------------------


def test_consent_record_and_withdraw(world, inquiry):
    client = JsonApi(world.member_a)
    recorded = client.post(
        case_url(inquiry, "/consents"),
        consent_body(agencies=["police", "police"], valid_until="2099-12-31"),
    )
    assert recorded.status_code == 201, recorded.json()
    consent = recorded.json()
    assert consent["agencies"] == ["police"]
    assert consent["recorded_by"] == world.member_a.full_name
    withdrawn = client.post(
        case_url(inquiry, f"/consents/{consent['id']}/withdrawal"),
        {"withdrawn_on": consent["given_on"], "note": "Changed his mind."},
    )
    assert withdrawn.status_code == 200, withdrawn.json()
    assert withdrawn.json()["withdrawn_on"] == consent["given_on"]
    assert withdrawn.json()["in_force"] is False
    again = client.post(
        case_url(inquiry, f"/consents/{consent['id']}/withdrawal"),
        {"withdrawn_on": consent["given_on"], "note": "Twice."},
    )
    assert again.status_code == 409  # not possible now: the consent is already withdrawn
    process = client.get(case_url(inquiry, "/process")).json()
    assert process["consent_in_force"] is False
    assert [c["withdrawal_note"] for c in process["consents"]] == ["Changed his mind."]


@pytest.mark.parametrize(
    "changes",
    [
        {"agencies": []},
        {"agencies": ["press"]},
        {"topics": "crime"},
        {"method": "telepathy"},
        {"given_on": "2026-13-01"},
        {"given_on": None},
        {"valid_until": 5},
        {"scope": "all"},
    ],
)
def test_invalid_consent_bodies_are_422(world, inquiry, changes):
    before = _state(inquiry)
    response = JsonApi(world.member_a).post(case_url(inquiry, "/consents"), consent_body(**changes))
    assert response.status_code == 422, response.json()
    assert _state(inquiry) == before


def test_referral_without_consent_for_the_contact_point_is_refused(world):
    case = make_assessed_case(world)
    client = JsonApi(world.coordinator_a)
    refused = client.post(
        case_url(case, "/decision"),
        {
            "outcome": "refuse",
            "grounds": ["not_suitable"],
            "reasoning": "Not ready.",
            "expected_version": case.version,
        },
    )
    assert refused.status_code == 201
    consent = Consent.objects.get(case=case)
    withdrawn = client.post(
        case_url(case, f"/consents/{consent.pk}/withdrawal"),
        {"withdrawn_on": consent.given_on.isoformat(), "note": "Withdrawn."},
    )
    assert withdrawn.status_code == 200
    version = refused.json()["case"]["version"]
    response = client.post(case_url(case, "/referral"), {"expected_version": version})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "consent_missing"
    assert not Referral.objects.filter(case=case).exists()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.REFUSED


# --- Decisions ---------------------------------------------------------------------------


def test_stale_decision_is_409(world):
    case = make_assessed_case(world)
    client = JsonApi(world.coordinator_a)
    stale = client.post(
        case_url(case, "/decision"),
        {"outcome": "admit", "reasoning": "x", "expected_version": case.version - 1},
    )
    assert stale.status_code == 409
    assert not Decision.objects.filter(case=case).exists()
    ok = client.post(
        case_url(case, "/decision"),
        {"outcome": "admit", "reasoning": "x", "expected_version": case.version},
    )
    assert ok.status_code == 201
    twice = client.post(
        case_url(case, "/decision"),
        {"outcome": "admit", "reasoning": "x", "expected_version": case.version},
    )
    assert twice.status_code == 409
    assert Decision.objects.filter(case=case).count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"outcome": "refuse", "reasoning": "x", "expected_version": 3},
        {"outcome": "admit", "grounds": ["not_suitable"], "reasoning": "x", "expected_version": 3},
        {"outcome": "maybe", "reasoning": "x", "expected_version": 3},
        {"outcome": "refuse", "grounds": ["bad_hair"], "reasoning": "x", "expected_version": 3},
        {"outcome": "admit", "reasoning": "", "expected_version": 3},
        {"outcome": "admit", "reasoning": "x"},
        {"outcome": "admit", "reasoning": "x", "expected_version": 3, "letter": False},
    ],
)
def test_invalid_decision_bodies_are_422(world, body):
    case = make_assessed_case(world)
    before = _state(case)
    response = JsonApi(world.coordinator_a).post(case_url(case, "/decision"), body)
    assert response.status_code == 422, response.json()
    assert _state(case) == before


def test_decision_before_the_assessments_is_refused(world, assessing):
    response = JsonApi(world.coordinator_a).post(
        case_url(assessing, "/decision"),
        {"outcome": "admit", "reasoning": "x", "expected_version": assessing.version},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "assessments_missing"


def test_final_decision_without_referral_is_not_possible_now(world):
    case = make_assessed_case(world)
    response = JsonApi(world.decision_maker).post(
        case_url(case, "/final-decision"),
        {"outcome": "uphold", "reasoning": "x", "expected_version": case.version},
    )
    assert response.status_code == 409  # the state table: a final decision needs a referral
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ASSESSMENT


# --- Instruments -------------------------------------------------------------------------


def test_signed_instrument_cannot_change_a_correction_is_a_new_version(world, assessing):
    client = JsonApi(world.member_a)
    signed = draft_and_sign(client, assessing.reference, "suitability", suitability_body())
    assert signed.status_code == 200
    changed = client.put(
        case_url(assessing, "/assessments/suitability/draft"),
        suitability_body(reasoning="Changed afterwards."),
    )
    assert changed.status_code == 422
    assert changed.json()["detail"][0]["type"] == "signed"
    assert client.post(case_url(assessing, "/assessments/suitability/signature")).status_code == 409

    no_reason = client.post(case_url(assessing, "/assessments/suitability/corrections"), {})
    assert no_reason.status_code == 422
    correction = client.post(
        case_url(assessing, "/assessments/suitability/corrections"), {"reason": "Wrong rating."}
    )
    assert correction.status_code == 201, correction.json()
    assert correction.json()["version"] == 2
    assert correction.json()["supersedes_version"] == 1
    assert correction.json()["signed"] is False
    edited = client.put(
        case_url(assessing, "/assessments/suitability/draft"),
        suitability_body(steps_taken=2, reasoning="Corrected."),
    )
    assert edited.status_code == 200
    assert edited.json()["version"] == 2

    history = client.get(case_url(assessing, "/assessments/suitability")).json()
    assert [(v["version"], v["signed"]) for v in history["versions"]] == [(2, False), (1, True)]
    assert history["versions"][1]["steps_taken"] == 4
    assert history["versions"][1]["reasoning"] == "Suitable."
    assert history["versions"][0]["correction_reason"] == "Wrong rating."
    first = SuitabilityAssessment.objects.get(case=assessing, version=1)
    assert (first.steps_taken, first.reasoning) == (4, "Suitable.")


def test_nothing_to_correct_or_sign_is_409(world, assessing):
    client = JsonApi(world.member_a)
    for kind in ("target_group", "motivation", "suitability"):
        assert client.post(case_url(assessing, f"/assessments/{kind}/signature")).status_code == 409
        assert (
            client.post(
                case_url(assessing, f"/assessments/{kind}/corrections"), {"reason": "x"}
            ).status_code
            == 409
        )


def test_fear_only_motivation_is_flagged(world, assessing):
    response = JsonApi(world.member_a).put(
        case_url(assessing, "/assessments/motivation/draft"),
        motivation_body(push_factors=["fear_for_life", "violence_threats"], pull_factors=[]),
    )
    assert response.status_code == 200, response.json()
    assert response.json()["fear_only"] is True
    mixed = JsonApi(world.member_a).put(
        case_url(assessing, "/assessments/motivation/draft"), motivation_body()
    )
    assert mixed.json()["fear_only"] is False


def test_incomplete_draft_cannot_be_signed(world, assessing):
    client = JsonApi(world.member_a)
    client.put(case_url(assessing, "/assessments/motivation/draft"), {"level": 3})
    response = client.post(case_url(assessing, "/assessments/motivation/signature"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "incomplete"
    assert MotivationAssessment.objects.get(case=assessing).signed_at is None


def test_target_group_records_the_criteria_version(world, assessing):
    client = JsonApi(world.member_a)
    body = target_group_body(client, assessing.reference)
    saved = client.put(case_url(assessing, "/assessments/target_group/draft"), body)
    assert saved.status_code == 200, saved.json()
    assert saved.json()["criteria_version"]["id"] == body["criteria_version"]
    assert saved.json()["within_target_group"] is True
    unknown = client.put(
        case_url(assessing, "/assessments/target_group/draft"),
        {**body, "answers": {"horoscope": {"met": True}}},
    )
    assert unknown.status_code == 422
    other_version = client.put(
        case_url(assessing, "/assessments/target_group/draft"),
        {**body, "criteria_version": 10**9},
    )
    assert other_version.status_code == 422
    assert other_version.json()["detail"][0]["loc"] == ["body", "criteria_version"]


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("motivation", {"level": 6}),
        ("motivation", {"level": "4"}),
        ("motivation", {"push_factors": "disillusion"}),
        ("motivation", {"push_factors": ["fatherhood"]}),
        ("motivation", {"help_wishes": ["a_pony"]}),
        ("motivation", {"fear_borne": "no"}),
        ("motivation", {"motivation_kind": "spiritual"}),
        ("motivation", {"parole_only_motive": True}),
        ("motivation", {"mood": "good"}),
        ("suitability", {"steps_taken": 5}),
        ("suitability", {"steps_taken": 2.5}),
        ("suitability", {"judgement": "brilliant"}),
        ("suitability", {"reasoning": None}),
        ("target_group", {"answers": {"wants_out": {"met": "yes"}}}),
        ("target_group", {"answers": {"wants_out": {"met": True, "extra": 1}}}),
        ("target_group", {"answers": {"not a code!": {"met": True}}}),
        ("target_group", {"criteria_version": "1"}),
    ],
)
def test_invalid_draft_bodies_are_422(world, assessing, kind, body):
    before = _state(assessing)
    response = JsonApi(world.member_a).put(case_url(assessing, f"/assessments/{kind}/draft"), body)
    assert response.status_code == 422, response.json()
    assert _state(assessing) == before


def test_the_schema_refuses_answer_keys_that_are_no_code():
    answers = api.get_openapi_schema()["components"]["schemas"]["TargetGroupDraftIn"]
    answers = answers["properties"]["answers"]
    assert list(answers["patternProperties"]) == ["^[-a-zA-Z0-9_]+$"]
    assert answers["additionalProperties"] is False


def test_drafts_only_during_assessment(world, inquiry):
    response = JsonApi(world.member_a).put(
        case_url(inquiry, "/assessments/motivation/draft"), motivation_body()
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "not_in_assessment"


def test_motivation_choices_are_offered(world, assessing):
    data = JsonApi(world.member_a).get(case_url(assessing, "/assessments/motivation")).json()
    factors = {f["code"]: f for f in data["factors"]}
    assert factors["fear_for_life"]["group"] == "push"
    assert factors["fear_for_life"]["fear"] is True
    assert factors["fatherhood"]["group"] == "pull"
    assert "work_education" in {o["code"] for o in data["offers"]}
    assert data["criteria_versions"] == []


# --- Tasks -------------------------------------------------------------------------------


def test_tasks_list_the_callers_work(world, inquiry):
    ready = make_assessed_case(world, last_name="Ready")
    coordinator = JsonApi(world.coordinator_a).get("/api/v1/tasks")
    assert coordinator.status_code == 200
    kinds = {(t["kind"], t["reference"]) for t in coordinator.json()["items"]}
    assert ("ready_for_decision", ready.reference) in kinds
    assert ("consent_missing", inquiry.reference) in kinds
    other = JsonApi(world.member_b).get("/api/v1/tasks").json()
    assert other["items"] == []


@pytest.mark.parametrize("name", ["analyst", "sysadmin", "auditor", "nobody"])
def test_tasks_forbidden_without_case_access(world, name):
    assert JsonApi(getattr(world, name)).get("/api/v1/tasks").status_code == 403


def test_tasks_not_about_a_case_step_have_no_case_status(world):
    """A public inquiry's and an advice request's tasks carry their own status (the API
    answered 500 for them: their case status is empty, and the schema wanted one)."""
    district = world.unit_a.police_district
    municipality = Municipality.objects.create(name="Kommune A", police_district=district)
    inquiry = public_inquiry_submit(
        sender="relative",
        called="Kim",
        phone="11223344",
        whereabouts=Whereabouts.MUNICIPALITY,
        municipality=municipality,
    )
    answer = JsonApi(world.coordinator_a).get("/api/v1/tasks")
    assert answer.status_code == 200
    (task,) = [t for t in answer.json()["items"] if t["kind"] == "public_inquiry"]
    assert task["reference"] == inquiry.code
    assert task["status"] is None
    assert task["status_label"] == str(SubmissionStatus.NEW.label)
    case = make_case(world.member_a, world.unit_a)
    advice = ask_about_case(world, case)
    answer = JsonApi(world.adviser).get("/api/v1/tasks")
    assert answer.status_code == 200
    (task,) = [t for t in answer.json()["items"] if t["kind"] == "advice_new"]
    assert (task["reference"], task["status"]) == (case.reference, None)
    assert task["status_label"] == advice.get_status_display()
    assert task["detail"] == advice.get_topic_display()
    assert all(t["reference"] != inquiry.code for t in answer.json()["items"])
