"""Transfers (request by the sender, accept/decline by the receiver) and good-release plans."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from vejud.access.casework import require_actor
from vejud.access.transfers import can_receive, transfer_receivers_barred
from vejud.accounts.models import User
from vejud.audit.services import (
    AuditMissingError,
    audit_case_change,
    audited_service,
    snapshot,
)
from vejud.cases.models import Case, CaseStatus, Track
from vejud.cases.states import Actor
from vejud.core.limits import required_text
from vejud.core.records import stamp
from vejud.intake.models import ConsentAgency
from vejud.intake.selectors import require_consent
from vejud.organisations.models import Unit, UnitKind
from vejud.transfers.models import ReleasePlan, Transfer, TransferStatus

# Which agencies a consent must cover before a case may go to a unit of this kind.
RECEIVING_AGENCIES: dict[str, tuple[str, ...]] = {
    UnitKind.LOCAL: (ConsentAgency.POLICE, ConsentAgency.MUNICIPALITY),
    UnitKind.MUNICIPAL_PROGRAMME: (ConsentAgency.MUNICIPALITY,),
    UnitKind.DFK: (ConsentAgency.KRIMINALFORSORGEN,),
    UnitKind.INSTITUTION: (ConsentAgency.KRIMINALFORSORGEN,),
    UnitKind.NATIONAL: (ConsentAgency.NATIONAL,),
}
OPEN_FOR_TRANSFER = frozenset(
    {CaseStatus.INQUIRY, CaseStatus.ASSESSMENT, CaseStatus.REFUSED, CaseStatus.ADMITTED}
)


@audited_service
def transfer_request(
    *,
    actor: User,
    case: Case,
    to_unit: Unit,
    handover_note: str,
    to_track: str | None = None,
    to_institution: Unit | None = None,
) -> Transfer:
    """The sending side asks to hand the case over; the sender stays responsible until accepted."""
    require_actor(actor, case, Actor.CASEWORKER)
    if case.status not in OPEN_FOR_TRANSFER:
        raise ValidationError(_("Only an open case can be transferred."), code="status")
    to_track = to_track or (
        Track.CUSTODY if to_unit.kind in {UnitKind.DFK, UnitKind.INSTITUTION} else Track.LIBERTY
    )
    if to_track == Track.CUSTODY:
        if to_institution is None or to_institution.kind != UnitKind.INSTITUTION:
            raise ValidationError(_("A custody track needs the institution."), code="institution")
        if to_unit.kind == UnitKind.INSTITUTION:
            to_unit = to_institution.parent or to_unit
    elif to_institution is not None:
        raise ValidationError(_("Only a custody track has an institution."), code="institution")
    if (to_unit.pk, to_track, getattr(to_institution, "pk", None)) == (
        case.responsible_unit_id,
        case.track,
        case.institution_id,
    ):
        raise ValidationError(_("The case is already there."), code="same")
    handover_note = required_text(
        handover_note, _("Write a hand-over note for the receiver."), code="note"
    )
    for agency in RECEIVING_AGENCIES[to_unit.kind]:
        require_consent(case, agency)
    if transfer_receivers_barred(case=case, to_unit=to_unit, to_institution=to_institution):
        raise ValidationError(
            _(
                "The person's access lists bar everyone who would receive the case there. "
                "Ask the list's owner to add a receiver to the list first."
            ),
            code="receivers_barred",
        )
    if Transfer.objects.filter(case=case, status=TransferStatus.PENDING).exists():
        raise ValidationError(
            _("A transfer of this case is already awaiting the receiver."), code="pending"
        )
    transfer = Transfer.objects.create(
        case=case,
        from_unit=case.responsible_unit,
        from_track=case.track,
        from_institution=case.institution,
        to_unit=to_unit,
        to_track=to_track,
        to_institution=to_institution,
        handover_note=handover_note,
        requested_by=actor,
    )
    audit_case_change(
        actor=actor,
        action="transfer.request",
        obj=transfer,
        case=case,
    )
    return transfer


def _decide(actor: User, transfer: Transfer, status: str, note: str) -> Transfer:
    transfer = Transfer.objects.select_for_update().select_related("to_unit").get(pk=transfer.pk)
    if transfer.status != TransferStatus.PENDING:
        raise ValidationError(
            _("The transfer is no longer awaiting an answer."), code="not_pending"
        )
    if not can_receive(actor, transfer):
        raise PermissionDenied(_("Only the receiving unit answers a transfer."))
    stamp(transfer, "decided", actor, status=status, decision_note=note.strip())
    return transfer


# What a transfer moves: the unit now, the track (and institution) now or on the release date.
MOVED = ["responsible_unit", "track", "institution"]


def _waits_for_release(case: Case, transfer: Transfer, today: date) -> bool:
    """A transfer out of custody to liberty accepted before the release date: the person is
    still in prison, so the track changes on the release date, not at acceptance."""
    return (
        transfer.to_track == Track.LIBERTY
        and case.track == Track.CUSTODY
        and case.release_on is not None
        and case.release_on > today
    )


def _move_track(case: Case, transfer: Transfer) -> None:
    case.track = transfer.to_track
    case.institution_id = transfer.to_institution_id


def _save_moved(case: Case) -> dict[str, Any]:
    """Save what a transfer moved on ``case`` (a new version); return its audit snapshot."""
    case.version += 1
    case.updated_at = timezone.now()
    case.save(update_fields=[*MOVED, "version", "updated_at"])
    return snapshot(case, MOVED)


@audited_service
def transfer_accept(*, actor: User, transfer: Transfer, note: str = "") -> Transfer:
    """The receiver takes over: the case's unit changes now, its track and institution now or,
    for a release to liberty accepted before the release date, on that date
    (``release_track_changes_run``); the release date is kept."""
    transfer = _decide(actor, transfer, TransferStatus.ACCEPTED, note)
    case = Case.objects.select_for_update().get(pk=transfer.case_id)
    for agency in RECEIVING_AGENCIES[transfer.to_unit.kind]:
        require_consent(case, agency)
    before = snapshot(case, MOVED)
    # A later hand-over replaces a track change still waiting for a release date.
    Transfer.objects.filter(case=case, track_changes_on__isnull=False).update(track_changes_on=None)
    case.responsible_unit_id = transfer.to_unit_id
    if _waits_for_release(case, transfer, timezone.localdate()):
        transfer.track_changes_on = case.release_on
        transfer.save(update_fields=["track_changes_on"])
    else:
        _move_track(case, transfer)
    after = _save_moved(case)
    audit_case_change(
        actor=actor,
        action="transfer.accept",
        obj=transfer,
        changes={
            "case": [before, after],
            "track_changes_on": transfer.track_changes_on,
        },
        reason=transfer.decision_note,
        case=case,
    )
    return transfer


@audited_service
def _release_track_changes(day: date) -> int:
    waiting = Transfer.objects.filter(
        status=TransferStatus.ACCEPTED, track_changes_on__lte=day
    ).select_for_update()
    for transfer in waiting:
        case = Case.objects.select_for_update().get(pk=transfer.case_id)
        before = snapshot(case, MOVED)
        _move_track(case, transfer)
        after = _save_moved(case)
        Transfer.objects.filter(pk=transfer.pk).update(track_changes_on=None)
        audit_case_change(
            actor=None,
            action="case.released",
            obj=case,
            changes={"case": [before, after], "transfer": transfer.pk},
            case=case,
        )
    return len(waiting)


def release_track_changes_run(*, today: date | None = None) -> int:
    """Move every case whose release date has come to the track its accepted release transfer
    named (system job, daily with the release plans). Returns how many cases moved."""
    day = today or timezone.localdate()
    if not Transfer.objects.filter(
        status=TransferStatus.ACCEPTED, track_changes_on__lte=day
    ).exists():
        return 0
    try:
        return _release_track_changes(day)
    except AuditMissingError:  # another run moved them in between
        return 0


@audited_service
def transfer_decline(*, actor: User, transfer: Transfer, note: str) -> Transfer:
    """The receiver declines; the sender stays responsible."""
    note = required_text(note, _("Say why the transfer is declined."), code="note")
    transfer = _decide(actor, transfer, TransferStatus.DECLINED, note)
    audit_case_change(
        actor=actor,
        action="transfer.decline",
        obj=transfer,
        changes={},
        reason=transfer.decision_note,
        case=transfer.case,
    )
    return transfer


@audited_service
def transfer_cancel(*, actor: User, transfer: Transfer) -> Transfer:
    """The sender withdraws a transfer request that is still pending."""
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    require_actor(actor, transfer.case, Actor.CASEWORKER)
    if transfer.status != TransferStatus.PENDING:
        raise ValidationError(
            _("The transfer is no longer awaiting an answer."), code="not_pending"
        )
    stamp(transfer, "decided", actor, status=TransferStatus.CANCELLED)
    audit_case_change(
        actor=actor, action="transfer.cancel", obj=transfer, changes={}, case=transfer.case
    )
    return transfer


@audited_service
def release_date_set(*, actor: User, case: Case, release_on: date | None) -> Case:
    """Record the expected release date of a custody case (drives good-release planning).

    A date within ``VEJUD_RELEASE_PLAN_DAYS`` of an admitted case makes its release plan at
    once (the daily job makes the later ones when their time comes); a release plan and a
    track change waiting for the date follow a new date."""
    require_actor(actor, case, Actor.CASEWORKER)
    if case.track != Track.CUSTODY:
        raise ValidationError(_("Only custody cases have a release date."), code="track")
    locked = Case.objects.select_for_update().get(pk=case.pk)
    waiting = Transfer.objects.filter(case=locked, track_changes_on__isnull=False)
    if release_on is None and waiting.exists():
        raise ValidationError(
            _("The receiving unit has taken over from the release date: give the new date."),
            code="release_on",
        )
    old = locked.release_on
    locked.release_on = release_on
    locked.updated_at = timezone.now()
    locked.save(update_fields=["release_on", "updated_at"])
    audit_case_change(
        actor=actor,
        action="case.release_date",
        obj=locked,
        changes={"release_on": [old, release_on]},
        case=locked,
    )
    if release_on is not None:
        waiting.update(track_changes_on=release_on)
        ReleasePlan.objects.filter(case=locked).update(
            release_on=release_on, updated_at=timezone.now()
        )
        _release_plans_made(timezone.localdate(), actor, locked.pk)
    return locked


def _receiving_unit(case: Case) -> Unit | None:
    """The local unit of the person's district, from the inquiry's municipality, if known."""
    inquiry = getattr(case, "inquiry", None)
    if inquiry is not None and inquiry.municipality_id:
        return Unit.objects.filter(
            police_district_id=inquiry.municipality.police_district_id, kind=UnitKind.LOCAL
        ).first()
    return None


def _due_for_release_plan(day: date) -> Any:
    horizon = day + timedelta(days=settings.VEJUD_RELEASE_PLAN_DAYS)
    return Case.objects.filter(
        track=Track.CUSTODY,
        status=CaseStatus.ADMITTED,
        release_on__isnull=False,
        release_on__lte=horizon,
        release_plan__isnull=True,
    ).select_related("inquiry__municipality")


def _release_plans_made(day: date, actor: User | None, case_id: int | None = None) -> int:
    """Make the release plans due on ``day`` (of one case, or of all), audited as ``actor``."""
    due = _due_for_release_plan(day)
    if case_id is not None:
        due = due.filter(pk=case_id)
    made = 0
    for case in due:
        plan = ReleasePlan.objects.create(
            case=case, release_on=case.release_on, receiving_unit=_receiving_unit(case)
        )
        audit_case_change(actor=actor, action="release_plan.create", obj=plan, case=case)
        made += 1
    return made


@audited_service
def _release_plans_create(day: date) -> int:
    return _release_plans_made(day, None)


def release_plans_run(*, today: date | None = None) -> int:
    """Create the release plan for every active custody case released within N days (system job).

    Returns how many plans were created. Safe to run as often as wanted.
    """
    day = today or timezone.localdate()
    if not _due_for_release_plan(day).exists():
        return 0
    try:
        return _release_plans_create(day)
    except AuditMissingError:  # another run created them in between
        return 0


@audited_service
def release_plan_update(
    *,
    actor: User,
    plan: ReleasePlan,
    checklist: dict[str, bool],
    receiving_unit: Unit | None = None,
    note: str = "",
) -> ReleasePlan:
    """Tick off the good-release checklist and name the receiving unit."""
    case = plan.case
    require_actor(actor, case, Actor.CASEWORKER)
    unknown = set(checklist) - set(ReleasePlan.CHECKLIST)
    if unknown:
        raise ValidationError(_("Unknown checklist items."), code="checklist")
    plan = ReleasePlan.objects.select_for_update().get(pk=plan.pk)
    before = snapshot(plan)
    for name, value in checklist.items():
        setattr(plan, name, bool(value))
    if receiving_unit is not None:
        if receiving_unit.kind != UnitKind.LOCAL:
            raise ValidationError(
                _("The receiving unit is a local exit unit."), code="receiving_unit"
            )
        plan.receiving_unit = receiving_unit
    plan.note = note.strip()
    plan.updated_at = timezone.now()
    plan.save()
    after = snapshot(plan)
    audit_case_change(
        actor=actor,
        action="release_plan.update",
        obj=plan,
        changes={k: [before.get(k), v] for k, v in after.items() if before.get(k) != v},
        case=case,
    )
    return plan


@audited_service
def release_transfer_request(*, actor: User, plan: ReleasePlan, handover_note: str) -> Transfer:
    """Request the prepared transfer to the receiving local unit from the release plan."""
    if plan.receiving_unit is None:
        raise ValidationError(_("Name the receiving local unit first."), code="receiving_unit")
    transfer = transfer_request(
        actor=actor,
        case=plan.case,
        to_unit=plan.receiving_unit,
        to_track=Track.LIBERTY,
        handover_note=handover_note,
    )
    ReleasePlan.objects.filter(pk=plan.pk).update(transfer=transfer, updated_at=timezone.now())
    return transfer
