"""Break the glass: a written reason, re-authentication, then one hour's logged access."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from vejud.audit.models import AccessLog, AuditEvent
from vejud.cases.models import BreakGlassGrant
from vejud.people.services import person_access_rule_add
from vejud.testing import make_case, reauthed_client, verified_client

URL = reverse("cases:break_glass")
REASON = "The person was arrested in our district tonight"


@pytest.fixture
def case(world):
    return make_case(world.coordinator_a, world.unit_a, first_name="Per", last_name="Plum")


def test_form_needs_recent_reauthentication(world):
    response = verified_client(world.member_b).get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauth"))


def test_form_warns_that_access_is_logged_and_reviewed(world):
    response = reauthed_client(world.member_b).get(URL)
    assert response.status_code == 200
    assert "reviewed by the auditor" in response.content.decode()


def test_reference_can_be_prefilled(world):
    response = reauthed_client(world.member_b).get(URL, {"reference": "EX-2026-00001"})
    assert 'value="EX-2026-00001"' in response.content.decode()


def test_break_the_glass_opens_the_case_for_a_limited_time(world, case):
    client = reauthed_client(world.member_b)
    response = client.post(
        URL, {"reference": case.reference.lower(), "reason": REASON, "confirm": "on"}
    )
    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()
    grant = BreakGlassGrant.objects.get(user=world.member_b, case=case)
    assert grant.reason == REASON
    assert AuditEvent.objects.filter(action="case.break_glass", reason=REASON).exists()
    page = client.get(case.get_absolute_url())
    assert page.status_code == 200
    assert "logged and reviewed by the auditor" in page.content.decode()
    assert AccessLog.objects.get(user=world.member_b, part="case").break_glass


def test_auditor_may_break_the_glass(world, case):
    response = reauthed_client(world.auditor).post(
        URL, {"reference": case.reference, "reason": REASON, "confirm": "on"}
    )
    assert response.status_code == 302
    assert reauthed_client(world.auditor).get(case.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"reason": "Too short", "confirm": "on"}, "reason"),
        ({"reason": REASON}, "confirm"),
        ({"reference": "EX-2026-99999", "reason": REASON, "confirm": "on"}, "reference"),
    ],
)
def test_invalid_requests_are_refused(world, case, data, field):
    data = {"reference": case.reference, **data}
    response = reauthed_client(world.member_b).post(URL, data)
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not BreakGlassGrant.objects.exists()


def test_a_case_already_in_scope_is_refused(world, case):
    response = reauthed_client(world.member_a).post(
        URL, {"reference": case.reference, "reason": REASON, "confirm": "on"}
    )
    assert response.status_code == 200
    assert "already have access" in response.content.decode()
    assert not BreakGlassGrant.objects.exists()


def test_a_barred_user_cannot_break_the_glass(world, case):
    person_access_rule_add(
        actor=world.coordinator_a,
        person=case.person,
        kind="exclusion",
        user=world.member_b,
        message="Barred: conflict of interest.",
    )
    response = reauthed_client(world.member_b).post(
        URL, {"reference": case.reference, "reason": REASON, "confirm": "on"}
    )
    assert response.status_code == 200  # the same answer as for a reference that does not exist
    assert "No case can be opened with this reference." in response.content.decode()
    assert "conflict of interest" not in response.content.decode()
    assert not BreakGlassGrant.objects.exists()


@pytest.mark.parametrize("role", ["analyst", "sysadmin", "mentor", "adviser", "nobody"])
def test_wrong_role_403(world, role):
    assert reauthed_client(getattr(world, role)).get(URL).status_code == 403


def test_put_is_not_allowed(world):
    assert reauthed_client(world.member_b).put(URL).status_code == 405


# The not-found page -----------------------------------------------------------------


def test_outside_scope_gets_404_pointing_to_break_the_glass(world, case):
    response = verified_client(world.member_b).get(case.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 404
    assert f"{URL}?reference={case.reference}" in body
    assert "Per Plum" not in body


def test_404_is_identical_for_missing_and_forbidden_cases(world, case):
    client = verified_client(world.member_b)

    def normalised(path, reference):
        body = client.get(path).content.decode().replace(reference, "REF")
        return re.sub(r'(CSRFToken": "|nonce="|csrfmiddlewaretoken" value=")[^"]+', "", body)

    forbidden = normalised(case.get_absolute_url(), case.reference)
    assert forbidden == normalised("/sager/EX-2026-99999/", "EX-2026-99999")


def test_404_does_not_mention_break_the_glass_to_users_without_it(world):
    response = verified_client(world.adviser).get("/sager/EX-2026-99999/")
    assert response.status_code == 404
    assert URL not in response.content.decode()
