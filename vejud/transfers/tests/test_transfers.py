from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from vejud.access.cases import cases_visible_to
from vejud.cases.models import Track
from vejud.intake.selectors import ConsentMissingError
from vejud.testing import give_consent, make_admitted_case, make_case
from vejud.testing.builders import make_custody_case
from vejud.transfers.models import ReleasePlan, TransferStatus
from vejud.transfers.services import (
    release_date_set,
    release_plan_update,
    release_plans_run,
    release_transfer_request,
    transfer_accept,
    transfer_decline,
    transfer_request,
)
from vejud.worklist.selectors import TaskKind, tasks_for


def test_decline_keeps_the_sender_responsible(world):
    case = make_admitted_case(world)
    transfer = transfer_request(
        actor=world.member_a, case=case, to_unit=world.unit_b, handover_note="Moves to B"
    )
    assert (TaskKind.TRANSFER_INCOMING, case.reference) in {
        (t.kind, t.reference) for t in tasks_for(world.member_b)
    }
    case.refresh_from_db()
    assert case.responsible_unit == world.unit_a
    with pytest.raises(PermissionDenied):
        transfer_decline(actor=world.member_a, transfer=transfer, note="not mine to answer")
    transfer_decline(actor=world.member_b, transfer=transfer, note="He stays in A after all")
    case.refresh_from_db()
    assert case.responsible_unit == world.unit_a
    assert not cases_visible_to(world.member_b).filter(pk=case.pk).exists()


def test_accept_hands_the_case_over(world):
    case = make_admitted_case(world)
    transfer = transfer_request(
        actor=world.member_a, case=case, to_unit=world.unit_b, handover_note="Moves to B"
    )
    transfer_accept(actor=world.coordinator_b, transfer=transfer)
    case.refresh_from_db()
    assert case.responsible_unit == world.unit_b
    assert cases_visible_to(world.member_b).filter(pk=case.pk).exists()
    assert not cases_visible_to(world.member_a).filter(pk=case.pk).exists()
    with pytest.raises(ValidationError):
        transfer_accept(actor=world.coordinator_b, transfer=transfer)


def test_no_transfer_without_consent_covering_the_receiver(world):
    case = make_case(world.coordinator_a, world.unit_a)
    with pytest.raises(ConsentMissingError):
        transfer_request(actor=world.member_a, case=case, to_unit=world.unit_b, handover_note="x")
    give_consent(world.member_a, case, agencies=["police", "municipality"])
    with pytest.raises(ConsentMissingError):
        transfer_request(
            actor=world.member_a,
            case=case,
            to_unit=world.dfk,
            to_institution=world.prison,
            handover_note="Arrested",
        )
    give_consent(world.member_a, case)
    transfer = transfer_request(
        actor=world.member_a,
        case=case,
        to_unit=world.dfk,
        to_institution=world.prison,
        handover_note="Arrested",
    )
    assert transfer.to_track == Track.CUSTODY


def test_only_one_pending_transfer(world):
    case = make_admitted_case(world)
    transfer_request(actor=world.member_a, case=case, to_unit=world.unit_b, handover_note="x")
    with pytest.raises(ValidationError):
        transfer_request(actor=world.member_a, case=case, to_unit=world.unit_b, handover_note="y")


def test_good_release_plan_is_created_and_leads_to_an_accepted_transfer(world):
    # Arrest: the unit A course moves to custody in the prison.
    case = make_custody_case(world)
    assert (case.track, case.institution) == (Track.CUSTODY, world.prison)
    release_date_set(
        actor=world.custody, case=case, release_on=timezone.localdate() + timedelta(days=90)
    )
    assert release_plans_run() == 0
    release_date_set(
        actor=world.custody, case=case, release_on=timezone.localdate() + timedelta(days=45)
    )
    assert release_plans_run() == 1
    assert release_plans_run() == 0
    plan = ReleasePlan.objects.get(case=case)
    assert (TaskKind.RELEASE_PLAN, case.reference) in {
        (t.kind, t.reference) for t in tasks_for(world.custody)
    }
    plan = release_plan_update(
        actor=world.custody,
        plan=plan,
        receiving_unit=world.unit_a,
        checklist=dict.fromkeys(ReleasePlan.CHECKLIST, True),
    )
    assert plan.missing() == []
    transfer = release_transfer_request(
        actor=world.custody, plan=plan, handover_note="Released on the date"
    )
    transfer_accept(actor=world.member_a, transfer=transfer)
    case.refresh_from_db()
    assert (case.track, case.responsible_unit, case.institution) == (
        Track.LIBERTY,
        world.unit_a,
        None,
    )
    assert transfer.status == TransferStatus.ACCEPTED or transfer.refresh_from_db() is None
