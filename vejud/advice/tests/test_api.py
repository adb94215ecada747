"""The advice API: the same rules as the pages (other unit 404, wrong role 403), internal notes
only for the advisers, every adviser read logged as advice, CPR refused."""

from __future__ import annotations

import pytest

from vejud.advice.models import AdviceRequest, AdviceStatus
from vejud.advice.services import advice_note_add
from vejud.audit.models import AccessLog
from vejud.testing.advice import ask_about_case
from vejud.testing.api import JsonApi
from vejud.testing.builders import make_assessment_case

pytestmark = pytest.mark.django_db
BASE = "/api/v1/advice"
NOTE = "Internal: check with the prison first."


@pytest.fixture
def asked(world):
    case = make_assessment_case(world)
    advice = ask_about_case(world, case)
    advice_note_add(actor=world.adviser, request=advice, text=NOTE)
    return world, case, advice


def test_unit_a_s_request_is_invisible_to_unit_b_in_the_api(asked):
    world, _case, advice = asked
    for who in ("member_b", "coordinator_b", "custody"):
        api = JsonApi(getattr(world, who))
        assert api.get(f"{BASE}/requests/{advice.pk}").status_code == 404
        assert api.post(f"{BASE}/requests/{advice.pk}/messages", {"text": "Hi"}).status_code == 404
        listed = api.get(f"{BASE}/requests").json()["items"]
        assert advice.pk not in [item["id"] for item in listed]
    assert JsonApi(world.analyst).get(f"{BASE}/requests/{advice.pk}").status_code == 403
    assert JsonApi(world.member_a).get(f"{BASE}/queue").status_code == 403
    assert (
        JsonApi(world.member_a)
        .post(f"{BASE}/requests/{advice.pk}/notes", {"text": "x"})
        .status_code
        == 403
    )


def test_internal_notes_never_reach_the_unit_in_the_api(asked):
    world, _case, advice = asked
    for who in ("member_a", "coordinator_a"):
        response = JsonApi(getattr(world, who)).get(f"{BASE}/requests/{advice.pk}")
        assert response.status_code == 200
        assert NOTE not in response.content.decode() and response.json()["internal_notes"] is None
    adviser = JsonApi(world.adviser).get(f"{BASE}/requests/{advice.pk}").json()
    assert [n["text"] for n in adviser["internal_notes"]] == [NOTE]


def test_an_adviser_read_in_the_api_is_logged_as_advice(asked):
    world, case, advice = asked
    JsonApi(world.adviser).get(f"{BASE}/requests/{advice.pk}")
    row = AccessLog.objects.get(user=world.adviser, case_id=case.pk)
    assert (row.part, row.channel, row.advice) == ("advice:request", "api", True)


def test_asking_answering_and_closing_through_the_api(world):
    member = JsonApi(world.member_a)
    refused = member.post(
        f"{BASE}/requests",
        {"unit_code": world.unit_a.code, "topic": "other", "question": "About 010190-1234?"},
    )
    assert refused.status_code == 422 and "CPR number" in refused.content.decode()
    created = member.post(
        f"{BASE}/requests",
        {"unit_code": world.unit_a.code, "topic": "pool", "question": "Deposit?"},
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    adviser = JsonApi(world.adviser)
    assert (
        adviser.post(
            f"{BASE}/requests/{pk}/answer", {"text": "Yes.", "motivation": "sufficient"}
        ).status_code
        == 422
    )
    answered = adviser.post(f"{BASE}/requests/{pk}/answer", {"text": "Yes."})
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    assert member.post(f"{BASE}/requests/{pk}/close").json()["status"] == "closed"
    assert AdviceRequest.objects.get(pk=pk).status == AdviceStatus.CLOSED


def test_the_api_gives_the_adviser_exactly_the_attached_parts_until_the_unit_ends_it(asked):
    world, case, advice = asked
    adviser = JsonApi(world.adviser)
    parts = adviser.get(f"{BASE}/requests/{advice.pk}/parts").json()
    assert parts["case_reference"] == case.reference
    assert [j["text"] for j in parts["journal"]] == ["Attached note: meets his mentor weekly."]
    assert parts["plan"] is None and parts["followup"] is None and parts["instruments"] == []
    assert JsonApi(world.member_a).get(f"{BASE}/requests/{advice.pk}/parts").status_code == 403
    assert adviser.post(f"{BASE}/requests/{advice.pk}/access", {"days": 30}).status_code == 403
    assert (
        JsonApi(world.member_b).post(f"{BASE}/requests/{advice.pk}/access", {"days": 0}).status_code
        == 404
    )
    ended = JsonApi(world.member_a).post(f"{BASE}/requests/{advice.pk}/access", {"days": 0})
    assert ended.status_code == 200
    assert adviser.get(f"{BASE}/requests/{advice.pk}/parts").status_code == 404


def test_assigning_through_the_api(asked):
    world, _case, advice = asked
    head = JsonApi(world.head)
    refused = head.post(f"{BASE}/requests/{advice.pk}/assign", {"adviser_id": world.member_a.pk})
    assert refused.status_code == 422
    done = head.post(f"{BASE}/requests/{advice.pk}/assign", {"adviser_id": world.adviser.pk})
    assert done.status_code == 200 and done.json()["status"] == "assigned"
