"""GET /api/v1/cases/{reference}: one case, only the parts the caller may see, logged."""

from __future__ import annotations

import pytest

from vejud.audit.models import AccessLog
from vejud.cases.services import break_glass_open
from vejud.people.models import AccessRuleKind
from vejud.people.services import person_access_rule_add
from vejud.testing.builders import protect_address


def url(case) -> str:
    return f"/api/v1/cases/{case.reference}"


def test_unit_member_sees_all_casework_parts(world, cases, api_client):
    response = api_client(world.member_a).get(url(cases["a"]))
    assert response.status_code == 200
    data = response.json()
    assert data["reference"] == cases["a"].reference
    assert data["person"] == {
        "first_name": "Zelda",
        "last_name": "Quixwort",
        "birth_date": "1995-05-17",
    }
    assert data["gang"] == {
        "group": "Test Riders",
        "role": "prospect",
        "since": None,
        "attachment": "associate",
    }
    assert data["threats"] == "Threatened by former associates."
    assert [e["text"] for e in data["journal"]] == ["First meeting held."]
    assert data["journal"][0]["author"] == world.member_a.full_name
    assert data["journal_more"] is False
    assert "journal" in data["parts"]


def test_never_shows_cpr_or_protected_address_even_to_custodian(world, cases, api_client):
    protect_address(world, cases["a"], "Hemmelig Allé 7, 9999 Skjulested")
    response = api_client(world.coordinator_a).get(url(cases["a"]))
    body = response.content.decode()
    assert response.status_code == 200
    for secret in ("Hemmelig", "Skjulested", "1705951113", "170595"):
        assert secret not in body
    assert "protected_address" not in response.json()["parts"]


def test_mentor_sees_summary_and_name_only(world, cases, api_client):
    response = api_client(world.mentor).get(url(cases["a"]))
    assert response.status_code == 200
    data = response.json()
    assert data["person"]["last_name"] == "Quixwort"
    assert data["gang"] is None
    assert data["threats"] is None
    assert data["journal"] is None
    assert "First meeting" not in response.content.decode()


def test_mentor_of_other_case_gets_404(world, cases, api_client):
    assert api_client(world.mentor).get(url(cases["custody"])).status_code == 404


def test_other_unit_gets_404_like_missing(world, cases, api_client):
    client = api_client(world.member_b)
    other = client.get(url(cases["a"]))
    missing = client.get("/api/v1/cases/EX-1999-99999")
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()
    assert not AccessLog.objects.filter(user_id=world.member_b.pk).exists()


def test_custody_staff_see_custody_case_of_their_institution_only(world, cases, api_client):
    client = api_client(world.custody)
    assert client.get(url(cases["custody"])).status_code == 200
    assert client.get(url(cases["a"])).status_code == 404


def test_malformed_reference_is_422(world, cases, api_client):
    assert api_client(world.member_a).get("/api/v1/cases/not-a-reference").status_code == 422


@pytest.mark.parametrize("name", ["analyst", "sysadmin", "auditor", "nobody"])
def test_roles_without_case_access_get_403(world, cases, api_client, name):
    response = api_client(getattr(world, name)).get(url(cases["a"]))
    assert response.status_code == 403
    assert "Quixwort" not in response.content.decode()


def test_view_writes_access_log_per_part(world, cases, api_client):
    api_client(world.member_a).get(url(cases["a"]))
    logs = AccessLog.objects.filter(user_id=world.member_a.pk, case_id=cases["a"].pk)
    assert {log.part for log in logs} == {"summary", "identity", "gang", "threats", "journal"}
    assert {log.channel for log in logs} == {"api"}
    assert all(log.person_id == cases["a"].person_id and not log.break_glass for log in logs)


def test_mentor_view_logs_only_parts_shown(world, cases, api_client):
    api_client(world.mentor).get(url(cases["a"]))
    parts = set(AccessLog.objects.filter(user_id=world.mentor.pk).values_list("part", flat=True))
    assert parts == {"summary", "identity"}


def test_break_glass_access_is_flagged_in_log(world, cases, api_client):
    client = api_client(world.member_b)
    assert client.get(url(cases["a"])).status_code == 404
    break_glass_open(
        actor=world.member_b,
        reference=cases["a"].reference,
        reason="Urgent threat report from the night shift.",
    )
    assert client.get(url(cases["a"])).status_code == 200
    logs = AccessLog.objects.filter(user_id=world.member_b.pk, case_id=cases["a"].pk)
    assert logs.exists()
    assert all(log.break_glass for log in logs)


def test_exclusion_list_gives_404_like_missing(world, cases, api_client):
    person_access_rule_add(
        actor=world.coordinator_a,
        person=cases["a"].person,
        kind=AccessRuleKind.EXCLUSION,
        user=world.member_a,
        message="Conflict of interest: ask the coordinator.",
    )
    client = api_client(world.member_a)
    response = client.get(url(cases["a"]))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert "Quixwort" not in response.content.decode()
    assert cases["a"].reference not in [
        i["reference"] for i in client.get("/api/v1/cases").json()["items"]
    ]
