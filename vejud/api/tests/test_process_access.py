"""The gate on the process operations: other unit → 404, wrong role → 403, reads logged."""

from __future__ import annotations

import pytest

from vejud.api.tests.process_support import (
    JsonApi,
    case_url,
    consent_body,
    motivation_body,
    suitability_body,
)
from vejud.audit.models import AccessLog, AuditEvent
from vejud.cases.models import Case
from vejud.cases.services import break_glass_open, mentor_assign
from vejud.decisions.models import Decision
from vejud.intake.models import Consent
from vejud.testing import make_assessed_case
from vejud.testing.builders import ASSESSED, make_sensitive_case

MISSING = "EX-1999-99999"


@pytest.fixture
def case(world):
    """A sensitive unit-A case in assessment, all instruments signed, with a mentor."""
    case = make_sensitive_case(
        world,
        stage=ASSESSED,
        cpr="1705951113",
        first_name="Zelda",
        last_name="Quixwort",
        address="Hemmelig Allé 7, 9999 Skjulested",
    )
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    case.refresh_from_db()
    return case


def operations(case: Case) -> list[tuple[str, str, object]]:
    """Every case operation with a body that would be valid for the right role."""
    consent = Consent.objects.get(case=case)
    version = case.version
    return [
        ("get", "/process", None),
        ("get", "/assessments/motivation", None),
        ("post", "/consents", consent_body()),
        ("post", f"/consents/{consent.pk}/withdrawal", {"withdrawn_on": "2026-01-01", "note": "x"}),
        ("post", "/transitions", {"target": "dropped", "reason": "x", "expected_version": version}),
        ("put", "/assessments/motivation/draft", motivation_body()),
        ("put", "/assessments/suitability/draft", suitability_body()),
        ("put", "/assessments/target_group/draft", {"reasoning": "x"}),
        ("post", "/assessments/motivation/signature", None),
        ("post", "/assessments/motivation/corrections", {"reason": "Typo."}),
        ("post", "/decision", {"outcome": "admit", "reasoning": "x", "expected_version": version}),
        ("post", "/referral", {"expected_version": version}),
        ("post", "/information-requests", {"question": "x"}),
        ("post", "/information-requests/1/answer", {"answer": "x"}),
        (
            "post",
            "/final-decision",
            {"outcome": "uphold", "reasoning": "x", "expected_version": version},
        ),
    ]


def call(client: JsonApi, method: str, url: str, body: object) -> object:
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, body)


def _unchanged(case: Case) -> tuple[object, ...]:
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.status,
        fresh.version,
        Decision.objects.filter(case=case).count(),
        Consent.objects.filter(case=case).count(),
        AuditEvent.objects.filter(case_id=case.pk).count(),
    )


def test_other_unit_gets_404_like_missing_on_every_operation(world, case):
    client = JsonApi(world.member_b)
    before = _unchanged(case)
    for method, tail, body in operations(case):
        other = call(client, method, case_url(case, tail), body)
        missing = call(client, method, case_url(MISSING, tail), body)
        assert other.status_code == missing.status_code == 404, (method, tail)
        assert other.json() == missing.json()
        # The gate answers before the body is read: a bad body changes nothing.
        if method != "get":
            bad = call(client, method, case_url(case, tail), {"unexpected": True})
            assert bad.status_code == 404, (method, tail)
    assert _unchanged(case) == before
    assert not AccessLog.objects.filter(user_id=world.member_b.pk).exists()


def test_assigned_mentor_gets_404_on_every_operation(world, case):
    client = JsonApi(world.mentor)
    assert client.get(case_url(case)).status_code == 200  # the mentor does see the case
    for method, tail, body in operations(case):
        response = call(client, method, case_url(case, tail), body)
        assert response.status_code == 404, (method, tail)
        assert "Quixwort" not in response.content.decode()


@pytest.mark.parametrize("name", ["analyst", "sysadmin", "auditor", "nobody"])
def test_roles_without_case_access_get_403_on_every_operation(world, case, name):
    client = JsonApi(getattr(world, name))
    before = _unchanged(case)
    for method, tail, body in operations(case):
        response = call(client, method, case_url(case, tail), body)
        assert response.status_code == 403, (name, method, tail)
    assert _unchanged(case) == before


def test_member_cannot_decide(world, case):
    before = _unchanged(case)
    response = JsonApi(world.member_a).post(
        case_url(case, "/decision"),
        {"outcome": "admit", "reasoning": "All signed.", "expected_version": case.version},
    )
    assert response.status_code == 403
    assert _unchanged(case) == before


def test_coordinator_of_other_unit_cannot_decide(world, case):
    response = JsonApi(world.coordinator_b).post(
        case_url(case, "/decision"),
        {"outcome": "admit", "reasoning": "All signed.", "expected_version": case.version},
    )
    assert response.status_code == 404


def test_adviser_cannot_make_the_final_decision(world, case):
    JsonApi(world.coordinator_a).post(
        case_url(case, "/decision"),
        {
            "outcome": "refuse",
            "grounds": ["not_suitable"],
            "reasoning": "Not ready.",
            "expected_version": case.version,
        },
    )
    case.refresh_from_db()
    referred = JsonApi(world.member_a).post(
        case_url(case, "/referral"), {"expected_version": case.version}
    )
    assert referred.status_code == 201, referred.json()
    case.refresh_from_db()
    before = _unchanged(case)
    for name in ("adviser", "head", "member_a", "coordinator_a"):
        response = JsonApi(getattr(world, name)).post(
            case_url(case, "/final-decision"),
            {"outcome": "overturn", "reasoning": "Admit.", "expected_version": case.version},
        )
        assert response.status_code == 403, name
        asked = JsonApi(getattr(world, name)).post(
            case_url(case, "/information-requests"), {"question": "Why?"}
        )
        assert asked.status_code == 403, name
    assert _unchanged(case) == before


def test_malformed_reference_is_422(world, case):
    client = JsonApi(world.member_a)
    assert client.get("/api/v1/cases/not-a-ref/process").status_code == 422
    assert client.post("/api/v1/cases/not-a-ref/consents", consent_body()).status_code == 422


def test_unknown_instrument_kind_is_422(world, case):
    client = JsonApi(world.member_a)
    assert client.get(case_url(case, "/assessments/horoscope")).status_code == 422
    assert client.post(case_url(case, "/assessments/horoscope/signature")).status_code == 422


def test_consent_and_request_of_another_case_are_404(world, case):
    other = make_assessed_case(world, last_name="Other")
    consent = Consent.objects.filter(case=other).first()
    client = JsonApi(world.member_a)
    response = client.post(
        case_url(case, f"/consents/{consent.pk}/withdrawal"),
        {"withdrawn_on": case.opened_on.isoformat(), "note": "Wrong case."},
    )
    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_process_read_is_logged(world, case):
    assert JsonApi(world.member_a).get(case_url(case, "/process")).status_code == 200
    log = AccessLog.objects.get(user_id=world.member_a.pk)
    assert (log.part, log.channel, log.case_id, log.person_id, log.break_glass) == (
        "process",
        "api",
        case.pk,
        case.person_id,
        False,
    )


def test_assessment_read_is_logged(world, case):
    response = JsonApi(world.adviser).get(case_url(case, "/assessments/suitability"))
    assert response.status_code == 200
    log = AccessLog.objects.get(user_id=world.adviser.pk)
    assert (log.part, log.channel, log.case_id) == ("assessment_suitability", "api", case.pk)


def test_break_glass_read_is_flagged(world, case):
    client = JsonApi(world.member_b)
    break_glass_open(
        actor=world.member_b,
        reference=case.reference,
        reason="Urgent threat report from the night shift.",
    )
    assert client.get(case_url(case, "/process")).status_code == 200
    assert AccessLog.objects.get(user_id=world.member_b.pk).break_glass is True


def test_reads_never_show_cpr_or_protected_address(world, case):
    client = JsonApi(world.coordinator_a)  # a named custodian of the address
    bodies = [
        client.get(case_url(case, tail)).content.decode()
        for tail in (
            "/process",
            "/assessments/target_group",
            "/assessments/motivation",
            "/assessments/suitability",
        )
    ]
    for body in bodies:
        for secret in ("Hemmelig", "Skjulested", "1705951113", "170595"):
            assert secret not in body
