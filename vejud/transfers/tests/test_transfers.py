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
    release_track_changes_run,
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


def test_a_release_date_within_the_planning_days_makes_the_plan_at_once(world):
    """Rough edge 1 (issue 14): saving the date made no plan until the daily job ran."""
    case = make_custody_case(world)
    assert (case.track, case.institution) == (Track.CUSTODY, world.prison)
    today = timezone.localdate()
    release_date_set(actor=world.custody, case=case, release_on=today + timedelta(days=90))
    assert not ReleasePlan.objects.filter(case=case).exists()
    assert release_plans_run() == 0
    # The daily job still catches a later date when its time comes.
    assert release_plans_run(today=today + timedelta(days=29)) == 0
    assert release_plans_run(today=today + timedelta(days=30)) == 1
    other = make_custody_case(world, first_name="Other")
    release_date_set(actor=world.custody, case=other, release_on=today + timedelta(days=45))
    plan = ReleasePlan.objects.get(case=other)
    assert plan.release_on == today + timedelta(days=45)
    assert release_plans_run() == 0
    assert (TaskKind.RELEASE_PLAN, other.reference) in {
        (t.kind, t.reference) for t in tasks_for(world.custody)
    }
    release_date_set(actor=world.custody, case=other, release_on=today + timedelta(days=50))
    plan.refresh_from_db()
    assert plan.release_on == today + timedelta(days=50)  # the plan follows a new date


def _released_to_unit_a(world, days: int = 30):
    """A custody case released in ``days`` days whose release transfer unit A accepted."""
    case = make_custody_case(world)
    release_on = timezone.localdate() + timedelta(days=days)
    release_date_set(actor=world.custody, case=case, release_on=release_on)
    plan = release_plan_update(
        actor=world.custody,
        plan=ReleasePlan.objects.get(case=case),
        receiving_unit=world.unit_a,
        checklist=dict.fromkeys(ReleasePlan.CHECKLIST, True),
    )
    assert plan.missing() == []
    transfer = release_transfer_request(
        actor=world.custody, plan=plan, handover_note="Released on the date"
    )
    transfer_accept(actor=world.member_a, transfer=transfer)
    case.refresh_from_db()
    transfer.refresh_from_db()
    return case, transfer, release_on


def test_accepting_the_release_transfer_keeps_custody_until_the_release_date(world):
    """Rough edge 1 (issue 14): acceptance set the case at liberty 30 days early and cleared
    the release date; the unit takes over now, the track changes on the release date."""
    case, transfer, release_on = _released_to_unit_a(world)
    assert transfer.status == TransferStatus.ACCEPTED
    assert (case.responsible_unit, case.track, case.institution, case.release_on) == (
        world.unit_a,
        Track.CUSTODY,
        world.prison,
        release_on,
    )
    assert transfer.track_changes_on == release_on
    # The prison keeps the person until the day; the receiving unit works on the case now.
    assert case in cases_visible_to(world.custody)
    assert case in cases_visible_to(world.member_a)
    assert release_track_changes_run(today=release_on - timedelta(days=1)) == 0
    assert release_track_changes_run(today=release_on) == 1
    assert release_track_changes_run(today=release_on) == 0
    case.refresh_from_db()
    transfer.refresh_from_db()
    assert (case.responsible_unit, case.track, case.institution, case.release_on) == (
        world.unit_a,
        Track.LIBERTY,
        None,
        release_on,
    )
    assert transfer.track_changes_on is None
    assert case not in cases_visible_to(world.custody)


def test_a_new_release_date_moves_the_waiting_track_change(world):
    case, transfer, release_on = _released_to_unit_a(world)
    later = release_on + timedelta(days=10)
    release_date_set(actor=world.member_a, case=case, release_on=later)
    transfer.refresh_from_db()
    assert transfer.track_changes_on == later
    with pytest.raises(ValidationError):
        release_date_set(actor=world.member_a, case=case, release_on=None)
    assert release_track_changes_run(today=release_on) == 0
    assert release_track_changes_run(today=later) == 1


def test_a_release_transfer_accepted_on_the_day_moves_the_track_at_once(world):
    case = make_custody_case(world)
    release_date_set(actor=world.custody, case=case, release_on=timezone.localdate())
    plan = release_plan_update(
        actor=world.custody,
        plan=ReleasePlan.objects.get(case=case),
        receiving_unit=world.unit_a,
        checklist={},
    )
    transfer = release_transfer_request(actor=world.custody, plan=plan, handover_note="Today")
    transfer_accept(actor=world.member_a, transfer=transfer)
    case.refresh_from_db()
    assert (case.track, case.institution, case.release_on) == (
        Track.LIBERTY,
        None,
        timezone.localdate(),
    )
