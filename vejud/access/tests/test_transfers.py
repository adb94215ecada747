"""Who receives a transfer: one rule for the transfers page, the API and the task list.

The leak of issue 11: a custody officer of one prison got the task "Transfer awaiting
your answer" (with the case reference) for a transfer to another institution.
The oracle: answering a transfer that exists but is not yours said 403, one that does
not exist 404.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from vejud.access.tests.support import Api, answer, other_prison, task_references
from vejud.access.transfers import awaiting_answer
from vejud.accounts.models import Role
from vejud.people.services import person_access_rule_add
from vejud.testing import make_admitted_case, make_user, verified_client
from vejud.transfers.models import Transfer, TransferStatus
from vejud.transfers.services import transfer_request
from vejud.worklist.selectors import TaskKind, tasks_for

MISSING = 999999


def to_prison(world, case, prison):
    return transfer_request(
        actor=world.member_a,
        case=case,
        to_unit=world.dfk,
        to_institution=prison,
        handover_note="Arrested; remanded in custody at the prison.",
    )


def page_answer(user, transfer_id, decision="accept"):
    client = verified_client(user)
    return client.post(
        reverse("transfers:incoming"),
        {"transfer": transfer_id, "decision": decision, "note": "Noted."},
    )


@pytest.fixture
def elsewhere(world):
    """A transfer to the world's prison, and the officer of another prison."""
    _prison, officer = other_prison(world)
    case = make_admitted_case(world, first_name="Remanded", last_name="Elsewhere")
    return to_prison(world, case, world.prison), officer


def test_custody_officer_of_another_institution_gets_no_task(world, elsewhere):
    transfer, officer = elsewhere
    assert TaskKind.TRANSFER_INCOMING not in {t.kind for t in tasks_for(officer)}
    page, api = task_references(officer)
    assert transfer.case.reference not in page | api
    # The receiving institution's officer gets it, on the page and through the API.
    page, api = task_references(world.custody)
    assert transfer.case.reference in page & api


def test_custody_officer_of_another_institution_sees_nothing_on_the_pages(world, elsewhere):
    transfer, officer = elsewhere
    listing = verified_client(officer).get(reverse("transfers:incoming"))
    assert listing.status_code == 200
    assert listing.context["items"] == []
    body = listing.content.decode()
    assert transfer.case.reference not in body and "Remanded" not in body
    assert transfer.handover_note not in body
    assert answer(page_answer(officer, transfer.pk)) == answer(page_answer(officer, MISSING))
    assert page_answer(officer, transfer.pk).status_code == 404
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.PENDING


def test_custody_officer_of_another_institution_gets_no_api_answer(world, elsewhere):
    transfer, officer = elsewhere
    api = Api(officer)
    assert api.get("/api/v1/transfers/incoming").json() == {"items": []}
    for action, body in (("accept", {}), ("decline", {"note": "Not ours."})):
        mine = api.post(f"/api/v1/transfers/{transfer.pk}/{action}", body)
        missing = api.post(f"/api/v1/transfers/{MISSING}/{action}", body)
        assert mine.status_code == 404
        assert answer(mine) == answer(missing)
    assert Transfer.objects.get(pk=transfer.pk).status == TransferStatus.PENDING
    # The receiving officer answers it.
    assert Api(world.custody).post(f"/api/v1/transfers/{transfer.pk}/accept").status_code == 200


def test_not_yours_looks_like_missing_for_every_caller(world, elsewhere):
    """Status and body of an answer to someone else's transfer equal those for no transfer."""
    transfer, officer = elsewhere
    for user in (officer, world.member_b, world.coordinator_a, world.adviser, world.mentor):
        api = Api(user)
        assert answer(api.post(f"/api/v1/transfers/{transfer.pk}/accept")) == answer(
            api.post(f"/api/v1/transfers/{MISSING}/accept")
        )
        assert answer(page_answer(user, transfer.pk)) == answer(page_answer(user, MISSING))


# --- Hole 2: the person's exclusion and restriction lists ---------------------------------


def test_a_restricted_person_cannot_be_transferred_where_no_receiver_is_on_the_list(world):
    """Today's code let a coordinator on the list hand the case to unit B, whose staff then saw
    the reference and the hand-over note and could accept it."""
    case = make_admitted_case(world, first_name="Listed", last_name="Person")
    person_access_rule_add(
        actor=world.coordinator_a, person=case.person, kind="restriction", user=world.member_a
    )
    with pytest.raises(ValidationError) as raised:
        transfer_request(
            actor=world.member_a, case=case, to_unit=world.unit_b, handover_note="Moves to B."
        )
    assert raised.value.code == "receivers_barred"
    assert not Transfer.objects.filter(case=case).exists()
    # With a receiver of unit B added to the list, the transfer goes to that receiver only.
    person_access_rule_add(
        actor=world.coordinator_a, person=case.person, kind="restriction", user=world.member_b
    )
    transfer = transfer_request(
        actor=world.member_a, case=case, to_unit=world.unit_b, handover_note="Moves to B."
    )
    assert list(awaiting_answer(world.member_b)) == [transfer]
    assert list(awaiting_answer(world.coordinator_b)) == []
    for_coordinator = verified_client(world.coordinator_b).get(reverse("transfers:incoming"))
    assert case.reference not in for_coordinator.content.decode()
    assert case.reference not in set().union(*task_references(world.coordinator_b))
    api = Api(world.coordinator_b)
    assert api.get("/api/v1/transfers/incoming").json() == {"items": []}
    assert answer(api.post(f"/api/v1/transfers/{transfer.pk}/accept")) == answer(
        api.post(f"/api/v1/transfers/{MISSING}/accept")
    )
    assert case.reference in set.intersection(*task_references(world.member_b))


def test_an_excluded_receiver_sees_nothing_of_the_transfer(world):
    case = make_admitted_case(world, first_name="Excluded", last_name="Receiver")
    person_access_rule_add(
        actor=world.coordinator_a, person=case.person, kind="exclusion", user=world.coordinator_b
    )
    transfer = transfer_request(
        actor=world.member_a, case=case, to_unit=world.unit_b, handover_note="Moves to B."
    )
    assert list(awaiting_answer(world.member_b)) == [transfer]
    assert list(awaiting_answer(world.coordinator_b)) == []
    assert case.reference not in set().union(*task_references(world.coordinator_b))
    assert page_answer(world.coordinator_b, transfer.pk).status_code == 404


def test_a_transfer_is_refused_when_every_receiver_is_excluded(world):
    case = make_admitted_case(world, first_name="Everyone", last_name="Excluded")
    for name in ("member_b", "coordinator_b"):
        person_access_rule_add(
            actor=world.coordinator_a, person=case.person, kind="exclusion", user=world.users[name]
        )
    with pytest.raises(ValidationError) as raised:
        transfer_request(
            actor=world.member_a, case=case, to_unit=world.unit_b, handover_note="Moves to B."
        )
    assert raised.value.code == "receivers_barred"
    # Once unit B has a receiver the list does not name, the case can go there (to them).
    newcomer = make_user("member-b2@test.vejud.dk", "Second B", world.unit_b, Role.UNIT_MEMBER)
    transfer = transfer_request(
        actor=world.member_a, case=case, to_unit=world.unit_b, handover_note="Moves to B."
    )
    assert list(awaiting_answer(newcomer)) == [transfer]
    assert list(awaiting_answer(world.member_b)) == []
