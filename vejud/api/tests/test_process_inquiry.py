"""POST /api/v1/inquiries: routing, duplicates, strict bodies and who may register."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from vejud.api.tests.process_support import JsonApi, inquiry_body, municipality_of
from vejud.cases.models import Case
from vejud.cases.services import case_transition
from vejud.intake.models import Inquiry, PossibleExistingPerson
from vejud.people.models import Person

URL = "/api/v1/inquiries"


@pytest.fixture
def municipalities(world):
    return {
        "a": municipality_of(world.unit_a, "Testby A"),
        "b": municipality_of(world.unit_b, "Testby B"),
    }


def test_registers_and_routes_to_own_unit(world, municipalities):
    response = JsonApi(world.member_a).post(URL, inquiry_body(note="Called from a phone box."))
    assert response.status_code == 201, response.json()
    data = response.json()
    case = Case.objects.get(reference=data["reference"])
    assert case.responsible_unit == world.unit_a
    assert data["case"]["version"] == case.version
    inquiry = Inquiry.objects.get(case=case)
    assert (inquiry.source, inquiry.channel, inquiry.note) == (
        "person",
        "phone",
        "Called from a phone box.",
    )
    assert inquiry.registered_by == world.member_a


def test_municipality_by_id(world, municipalities):
    response = JsonApi(world.member_a).post(URL, inquiry_body(municipality=municipalities["b"].pk))
    assert response.json()["unit"]["code"] == world.unit_b.code


def test_routed_out_of_sight_returns_reference_and_unit_only(world, municipalities):
    response = JsonApi(world.member_a).post(
        URL, inquiry_body(municipality="Testby B", cpr="030496-1234", birth_date=None)
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data == {
        "reference": data["reference"],
        "unit": {"code": world.unit_b.code, "name": world.unit_b.name},
        "visible": False,
        "case": None,
    }
    body = response.content.decode()
    for secret in ("Jonas", "Berg", "0304961234", "030496"):
        assert secret not in body
    assert Case.objects.get(reference=data["reference"]).responsible_unit == world.unit_b


def test_possible_duplicate_is_409_with_earlier_cases_you_may_see(world, municipalities):
    member_a, member_b = JsonApi(world.member_a), JsonApi(world.member_b)
    first = member_b.post(URL, inquiry_body(municipality="Testby B")).json()["reference"]
    case_transition(
        actor=world.member_b,
        case=Case.objects.get(reference=first),
        target="withdrawn",
        reason="Stopped.",
    )
    own = member_b.post(URL, inquiry_body(municipality="Testby B"))
    assert own.status_code == 409
    assert own.json()["code"] == "possible_duplicate"
    assert [c["reference"] for c in own.json()["earlier_cases"]] == [first]

    # Outside the user's reach the match is not mentioned (hole 5): the inquiry goes ahead
    # and the match goes to unit B to link or reject.
    other = member_a.post(URL, inquiry_body())
    assert other.status_code == 201
    assert first not in other.content.decode()
    assert Person.objects.filter(last_name="Berg").count() == 2
    match = PossibleExistingPerson.objects.get()
    assert (match.unit, match.inquiry.case.reference) == (world.unit_b, other.json()["reference"])


def test_open_case_is_409_only_within_reach(world, municipalities):
    first = JsonApi(world.member_b).post(
        URL, inquiry_body(municipality="Testby B", cpr="0304961234", birth_date=None)
    )
    reference = first.json()["reference"]
    again = JsonApi(world.member_a).post(
        URL, inquiry_body(cpr="030496-1234", birth_date=None, first_name="J")
    )
    assert again.status_code == 201  # no "already has an open case" outside reach (hole 5)
    assert reference not in again.content.decode()
    assert PossibleExistingPerson.objects.get().existing_person.cases.get().reference == reference
    seen_by_b = JsonApi(world.member_b).post(
        URL, inquiry_body(municipality="Testby B", cpr="0304961234", birth_date=None)
    )
    assert seen_by_b.status_code == 409
    assert seen_by_b.json()["code"] == "open_case_exists"
    assert [c["reference"] for c in seen_by_b.json()["earlier_cases"]] == [reference]


def test_custody_inquiry_needs_a_known_institution(world):
    client = JsonApi(world.member_a)
    response = client.post(
        URL, inquiry_body(in_custody=True, institution=world.unit_a.code, municipality=None)
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "institution"]
    missing = client.post(URL, inquiry_body(in_custody=True, municipality=None))
    assert missing.status_code == 422
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"unexpected": "key"},
        {"first_name": 42},
        {"first_name": ""},
        {"first_name": "Jo\x00nas"},
        {"source": "rumour"},
        {"channel": None},
        {"received_on": "yesterday"},
        {"received_on": "2026-02-30"},
        {"received_on": 20260101},
        {"received_on": "2026-01-01T10:00:00"},
        {"birth_date": "03/04/1996"},
        {"in_custody": "yes"},
        {"in_custody": 1},
        {"confirm_new_person": "true"},
        {"municipality": True},
        {"municipality": "Atlantis"},
        {"cpr": "12345"},
        {"note": ["a", "list"]},
    ],
)
def test_invalid_bodies_are_422_and_register_nothing(world, municipalities, changes):
    response = JsonApi(world.member_a).post(URL, inquiry_body(**changes))
    assert response.status_code == 422, response.json()
    assert response.json()["detail"]
    assert not Case.objects.exists()
    assert not Person.objects.exists()


def test_future_received_on_is_refused_by_the_service(world, municipalities):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = JsonApi(world.member_a).post(URL, inquiry_body(received_on=tomorrow))
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "received_on"


def test_body_that_is_not_an_object_is_refused(world, municipalities):
    client = JsonApi(world.member_a)
    assert client.post(URL, '"just a string"').status_code == 422
    assert client.post(URL, []).status_code == 422
    broken = client.client.post(
        URL, "{not json", content_type="application/json", headers=client.headers
    )
    assert broken.status_code == 400
    assert not Case.objects.exists()


@pytest.mark.parametrize("name", ["mentor", "analyst", "sysadmin", "auditor", "nobody"])
def test_roles_that_do_not_register_get_403(world, municipalities, name):
    response = JsonApi(getattr(world, name)).post(URL, inquiry_body())
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_role_is_checked_before_the_body(world):
    assert JsonApi(world.mentor).post(URL, {"unexpected": 1}).status_code == 403
