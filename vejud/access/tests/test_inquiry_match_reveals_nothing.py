"""Holes 3 and 5: an inquiry whose CPR or name matches a person outside the user's reach.

The registering user learns nothing: the existing person is not attached (no name,
group or threat notes on the new case), there is no 409 "already has an open case" and
no "possible duplicate", and the receipt reads as for a new person. The match goes to
the existing person's unit as a PossibleExistingPerson, which its coordinator links or
rejects on /sager/mulige-personer/.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from vejud.api.tests.process_support import JsonApi, inquiry_body, municipality_of
from vejud.audit.models import AuditEvent
from vejud.cases.models import Case
from vejud.cases.services import case_transition
from vejud.intake.models import MatchBasis, MatchStatus, PossibleExistingPerson
from vejud.intake.services import inquiry_register
from vejud.people.models import Attachment, GangGroup, GroupKind
from vejud.testing import make_case, verified_client

CPR = "1705951113"
LIST = reverse("intake:possible_persons")


@pytest.fixture
def municipalities(world):
    return {
        "a": municipality_of(world.unit_a, "Testby A"),
        "b": municipality_of(world.unit_b, "Testby B"),
    }


@pytest.fixture
def existing(world):
    """A person of unit A with a CPR number, a group and threat notes, and an open case."""
    group = GangGroup.objects.create(name="Quixwort Riders", kind=GroupKind.BIKER)
    return make_case(
        world.coordinator_a,
        world.unit_a,
        first_name="Zelda",
        last_name="Quixwort",
        cpr=CPR,
        gang_group=group,
        gang_role="prospect",
        attachment=Attachment.ASSOCIATE,
        threat_notes="Threatened by Xylophon.",
    )


def _register(actor, municipality, **person):
    details = {"first_name": "Kasper", "last_name": "Holm", "birth_date": None, **person}
    return inquiry_register(
        actor=actor,
        source="person",
        channel="phone",
        received_on=timezone.localdate(),
        municipality=municipality,
        **details,
    )


def test_cpr_of_another_units_person_with_closed_cases_is_not_attached(
    world, existing, municipalities
):
    case_transition(actor=world.coordinator_a, case=existing, target="withdrawn", reason="Gone")
    case = _register(world.member_b, municipalities["b"], cpr=CPR)
    assert case.person_id != existing.person_id
    assert case.previous_case is None
    assert (case.person.first_name, case.person.gang_group, case.person.threat_notes) == (
        "Kasper",
        None,
        "",
    )
    body = verified_client(world.member_b).get(case.get_absolute_url()).content.decode()
    for secret in ("Zelda", "Quixwort", "Xylophon", "prospect", existing.reference):
        assert secret not in body
    match = PossibleExistingPerson.objects.get()
    assert (match.inquiry.case, match.existing_person, match.unit, match.matched_on) == (
        case,
        existing.person,
        world.unit_a,
        MatchBasis.CPR,
    )
    assert AuditEvent.objects.filter(action="inquiry.possible_existing_person").count() == 1


def test_cpr_with_an_open_case_elsewhere_gives_no_409(world, existing, municipalities):
    case = _register(world.member_b, municipalities["b"], cpr=CPR)
    assert case.responsible_unit == world.unit_b
    assert PossibleExistingPerson.objects.get().existing_person == existing.person


def test_name_and_birth_date_of_another_units_person_ask_nothing(world, municipalities):
    other = make_case(
        world.coordinator_a, world.unit_a, first_name="Kasper", last_name="Holm",
        birth_date=date(1994, 3, 2),
    )  # fmt: skip
    case = _register(world.member_b, municipalities["b"], birth_date=date(1994, 3, 2))
    assert case.person_id != other.person_id
    match = PossibleExistingPerson.objects.get()
    assert (match.existing_person, match.matched_on) == (other.person, MatchBasis.NAME)


def test_within_reach_the_person_is_still_reused(world, existing, municipalities):
    case_transition(actor=world.coordinator_a, case=existing, target="withdrawn", reason="Gone")
    case = _register(world.member_a, municipalities["a"], cpr=CPR)
    assert case.person_id == existing.person_id
    assert not PossibleExistingPerson.objects.exists()


def _page_receipt(user, municipality, cpr) -> tuple[int, str, list[str]]:
    client = verified_client(user)
    response = client.post(
        reverse("intake:inquiry_new"),
        {
            "first_name": "Kasper",
            "last_name": "Holm",
            "cpr": cpr,
            "source": "person",
            "channel": "phone",
            "received_on": timezone.localdate().isoformat(),
            "municipality": municipality.pk,
        },
    )
    case = Case.objects.order_by("-pk").first()
    assert case is not None
    messages = [str(m).replace(case.reference, "REF") for m in get_messages(response.wsgi_request)]
    return response.status_code, response["Location"].replace(case.reference, "REF"), messages


def test_the_page_receipt_is_the_same_with_and_without_a_match(world, existing, municipalities):
    with_match = _page_receipt(world.member_b, municipalities["b"], CPR)
    without = _page_receipt(world.member_b, municipalities["b"], "0304961234")
    assert with_match == without
    assert with_match[0] == 302


def test_the_api_receipt_is_the_same_with_and_without_a_match(world, existing, municipalities):
    api = JsonApi(world.member_b)
    body = {"municipality": "Testby B", "birth_date": None, "first_name": "Kasper"}
    with_match = api.post("/api/v1/inquiries", inquiry_body(cpr=CPR, **body))
    without = api.post("/api/v1/inquiries", inquiry_body(cpr="0304961234", **body))
    assert with_match.status_code == without.status_code == 201
    first, second = with_match.json(), without.json()
    for data in (first, second):
        data.pop("reference")
        data["case"].pop("reference", None)
    assert first == second
    assert "Quixwort" not in with_match.content.decode()


def test_the_deciding_unit_lists_and_links_the_match(world, existing, municipalities):
    case_transition(actor=world.coordinator_a, case=existing, target="withdrawn", reason="Gone")
    case = _register(world.member_b, municipalities["b"], cpr=CPR)
    match = PossibleExistingPerson.objects.get()
    listing = verified_client(world.coordinator_a).get(LIST)
    assert listing.status_code == 200
    assert list(listing.context["matches"]) == [match]
    assert case.reference in listing.content.decode()
    assert list(verified_client(world.coordinator_b).get(LIST).context["matches"]) == []
    assert list(verified_client(world.head).get(LIST).context["matches"]) == [match]

    decide = reverse("intake:possible_person_decide", kwargs={"match_id": match.pk})
    assert (
        verified_client(world.coordinator_b).post(decide, {"decision": "link"}).status_code == 404
    )
    assert verified_client(world.member_a).post(decide, {"decision": "link"}).status_code == 403
    assert verified_client(world.member_a).get(LIST).status_code == 403
    response = verified_client(world.coordinator_a).post(decide, {"decision": "link"})
    assert response.status_code == 302
    case.refresh_from_db()
    match.refresh_from_db()
    assert (case.person_id, case.previous_case_id) == (existing.person_id, existing.pk)
    assert (match.status, match.decided_by) == (MatchStatus.LINKED, world.coordinator_a)
    assert list(verified_client(world.coordinator_a).get(LIST).context["matches"]) == []


def test_linking_waits_while_the_existing_person_has_an_open_case(world, existing, municipalities):
    case = _register(world.member_b, municipalities["b"], cpr=CPR)
    match = PossibleExistingPerson.objects.get()
    decide = reverse("intake:possible_person_decide", kwargs={"match_id": match.pk})
    response = verified_client(world.coordinator_a).post(decide, {"decision": "link"})
    assert response.status_code == 302
    assert "End one of the two cases" in str(next(iter(get_messages(response.wsgi_request))))
    case.refresh_from_db()
    match.refresh_from_db()
    assert (case.person_id != existing.person_id, match.status) == (True, MatchStatus.PENDING)


def test_the_deciding_unit_can_reject_the_match(world, existing, municipalities):
    case = _register(world.member_b, municipalities["b"], cpr=CPR)
    match = PossibleExistingPerson.objects.get()
    decide = reverse("intake:possible_person_decide", kwargs={"match_id": match.pk})
    verified_client(world.coordinator_a).post(decide, {"decision": "reject"})
    match.refresh_from_db()
    case.refresh_from_db()
    assert match.status == MatchStatus.REJECTED
    assert case.person_id != existing.person_id
    again = verified_client(world.coordinator_a).post(decide, {"decision": "link"})
    assert again.status_code == 302
    case.refresh_from_db()
    assert case.person_id != existing.person_id  # a decided match stays decided


def test_a_missing_match_is_404(world):
    decide = reverse("intake:possible_person_decide", kwargs={"match_id": 999999})
    assert (
        verified_client(world.coordinator_a).post(decide, {"decision": "link"}).status_code == 404
    )
