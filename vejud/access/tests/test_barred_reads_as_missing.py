"""Hole 9: a user barred by a person's exclusion or restriction list gets "does not exist".

Pages and the API answer a barred user exactly as for a case that does not exist
(404, same body), and break-glass refuses with the "no such reference" message: the
list's message would confirm that the case exists.
"""

from __future__ import annotations

import re
import time

import pytest
from django.urls import reverse

from vejud.accounts.decorators import REAUTH_AT_KEY
from vejud.cases.models import BreakGlassGrant
from vejud.people.models import AccessRuleKind
from vejud.people.services import person_access_rule_add
from vejud.testing import make_case, verified_client
from vejud.testing.api import JsonApi

MESSAGE = "Family relation: handled by another caseworker."
MISSING = "EX-1999-99999"
PER_RESPONSE = re.compile(r'(CSRFToken": "|nonce="|csrfmiddlewaretoken" value=")[^"]+')


@pytest.fixture
def case(world):
    return make_case(world.coordinator_a, world.unit_a, first_name="Zelda", last_name="Quixwort")


@pytest.fixture(params=[AccessRuleKind.EXCLUSION, AccessRuleKind.RESTRICTION])
def barred(request, world, case):
    """Bar member_a: named on an exclusion list, or left off a restriction list."""
    named = world.member_a if request.param == AccessRuleKind.EXCLUSION else world.coordinator_a
    person_access_rule_add(
        actor=world.coordinator_a,
        person=case.person,
        kind=request.param,
        user=named,
        message=MESSAGE,
    )
    return world.member_a


def _page(client, path: str) -> tuple[int, str]:
    response = client.get(path)
    return response.status_code, PER_RESPONSE.sub("", response.content.decode())


@pytest.mark.parametrize("name", ["cases:detail", "cases:journal_add"])
def test_case_pages_answer_barred_as_missing(world, case, barred, name):
    client = verified_client(barred)
    status, body = _page(client, reverse(name, kwargs={"reference": case.reference}))
    missing_status, missing_body = _page(client, reverse(name, kwargs={"reference": MISSING}))
    assert (status, missing_status) == (404, 404)
    assert body.replace(case.reference, MISSING) == missing_body
    assert MESSAGE not in body
    assert "Quixwort" not in body


def test_person_page_answers_barred_as_missing(world, case, barred):
    client = verified_client(barred)
    status, body = _page(
        client, reverse("people:detail", kwargs={"public_id": case.person.public_id})
    )
    missing = reverse("people:detail", kwargs={"public_id": "00000000-0000-4000-8000-000000000000"})
    missing_status, missing_body = _page(client, missing)
    assert (status, missing_status) == (404, 404)
    assert body.replace(str(case.person.public_id), "00000000-0000-4000-8000-000000000000") == (
        missing_body
    )
    assert MESSAGE not in body


def test_api_answers_barred_as_missing(world, case, barred):
    client = JsonApi(barred)
    response = client.get(f"/api/v1/cases/{case.reference}")
    missing = client.get(f"/api/v1/cases/{MISSING}")
    assert (response.status_code, missing.status_code) == (404, 404)
    assert response.content == missing.content == b'{"detail": "Not found."}'
    listed = [i["reference"] for i in client.get("/api/v1/cases").json()["items"]]
    assert case.reference not in listed


def test_break_glass_answers_barred_as_missing(world, case):
    person_access_rule_add(
        actor=world.coordinator_a,
        person=case.person,
        kind=AccessRuleKind.EXCLUSION,
        user=world.member_b,
        message=MESSAGE,
    )
    client = verified_client(world.member_b)
    session = client.session
    session[REAUTH_AT_KEY] = time.time()
    session.save()
    data = {"reason": "Arrested in our district tonight.", "confirm": "on"}
    barred = client.post(reverse("cases:break_glass"), {**data, "reference": case.reference})
    missing = client.post(reverse("cases:break_glass"), {**data, "reference": MISSING})
    assert barred.status_code == missing.status_code == 200
    assert "No case can be opened with this reference." in barred.content.decode()
    assert MESSAGE not in barred.content.decode()
    assert not BreakGlassGrant.objects.exists()
