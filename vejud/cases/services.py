"""Writes to cases: each atomic, permission-checked and audited in the same transaction."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vejud.access.assignment import is_mentor, person_bars
from vejud.access.cases import AccessRuleDenied, case_access, check_person_rules
from vejud.access.casework import Actor, may_act, may_open_case, require_actor
from vejud.access.rules import Capability, Part, require
from vejud.accounts.models import User
from vejud.audit.services import audit_case_change, audit_record, audited_service
from vejud.cases.models import (
    OPEN_STATUSES,
    BreakGlassGrant,
    Case,
    CaseReferenceCounter,
    CaseStatus,
    CaseTransition,
    JournalEntry,
    MentorAssignment,
    Track,
)
from vejud.cases.states import DECISION_TARGETS, TERMINAL, Transition, check_transition
from vejud.core.errors import ConflictError
from vejud.core.limits import check_date, required_text
from vejud.core.records import lock_unstamped, save_fields, stamp
from vejud.organisations.models import Unit, UnitKind
from vejud.people.models import Person
from vejud.people.services import person_row_lock


class OpenCaseError(ConflictError):
    """The person already has an open case (perhaps opened a moment ago): 409.

    ``existing`` is that case; name it only to a user who may see it (``case_access``).
    """

    def __init__(self, existing: Case) -> None:
        super().__init__(_("The person already has an open case."), code="open_case_exists")
        self.existing = existing


def open_case_refuse(person: Person) -> None:
    """Lock the person's row and raise OpenCaseError if the person has an open case.

    Every service that opens a case calls this first inside its transaction, so concurrent
    openings for one person queue on the lock and the second sees the first's case.
    """
    person_row_lock(person.pk)
    existing = Case.objects.filter(person_id=person.pk, status__in=OPEN_STATUSES).first()
    if existing is not None:
        raise OpenCaseError(existing)


def case_reference_next(*, year: int) -> str:
    """Return the next reference for ``year`` (EX-YYYY-NNNNN); call inside a transaction."""
    counter, _created = CaseReferenceCounter.objects.select_for_update().get_or_create(year=year)
    counter.last_number += 1
    if counter.last_number > 99999:
        raise ValidationError(_("The reference series for %(year)s is exhausted.") % {"year": year})
    counter.save(update_fields=["last_number"])
    return f"EX-{year}-{counter.last_number:05d}"


def _check_unit_for_track(unit: Unit, track: str, institution: Unit | None) -> None:
    if track == Track.CUSTODY:
        if institution is None or institution.kind != UnitKind.INSTITUTION:
            raise ValidationError(_("A custody case needs the institution."), code="institution")
    elif institution is not None:
        raise ValidationError(_("Only custody cases have an institution."), code="institution")
    if unit.kind not in {
        UnitKind.LOCAL,
        UnitKind.DFK,
        UnitKind.INSTITUTION,
        UnitKind.NATIONAL,
        UnitKind.MUNICIPAL_PROGRAMME,
    }:
        raise ValidationError(_("This unit cannot be responsible for cases."), code="unit")


def case_create(
    *,
    actor: User,
    person: Person,
    unit: Unit,
    track: str,
    institution: Unit | None,
    opened_on: date,
    previous_case: Case | None = None,
) -> Case:
    """Create and audit a case without a scope check: for services that route cases
    (an inquiry goes to the district's unit, which the registering user may not belong to).
    Call inside an audit scope, after the caller's own permission check."""
    if track not in Track.values:
        raise ValidationError(_("Unknown track."), code="track")
    _check_unit_for_track(unit, track, institution)
    if previous_case is not None and previous_case.person_id != person.pk:
        raise ValidationError(_("The earlier attempt belongs to another person."), code="previous")
    check_date(opened_on, code="opened_on")
    open_case_refuse(person)
    case = Case(
        reference=case_reference_next(year=opened_on.year),
        person=person,
        responsible_unit=unit,
        track=track,
        institution=institution,
        status=CaseStatus.INQUIRY,
        opened_on=opened_on,
        assessment_due_on=opened_on + timedelta(days=settings.VEJUD_ASSESSMENT_DAYS),
        previous_case=previous_case,
    )
    try:
        with transaction.atomic():  # a savepoint: the transaction stays usable after a clash
            case.save(force_insert=True)
    except IntegrityError:  # the one-open-case index: another open case won meanwhile
        open_case_refuse(person)
        raise
    audit_case_change(actor=actor, action="case.open", obj=case, case=case)
    return case


@audited_service
def case_open(
    *,
    actor: User,
    person: Person,
    unit: Unit,
    track: str = Track.LIBERTY,
    institution: Unit | None = None,
    opened_on: date | None = None,
    previous_case: Case | None = None,
) -> Case:
    """Open a new case (exit attempt) for ``person`` with ``unit`` responsible."""
    require(actor, Capability.WRITE_JOURNAL)
    if not may_open_case(actor, unit=unit, track=track, institution=institution):
        raise PermissionDenied(_("You cannot open cases for this unit."))
    return case_create(
        actor=actor,
        person=person,
        unit=unit,
        track=track,
        institution=institution,
        opened_on=opened_on or timezone.localdate(),
        previous_case=previous_case,
    )


def _require_casework_access(actor: User, case: Case, part: Part) -> None:
    """Refuse unless ``actor`` sees ``part`` of the case and works on it (not its mentor, not
    by breaking the glass: ``may_act``)."""
    access = case_access(actor, case)
    if access is None or part not in access.parts:
        raise PermissionDenied
    require_actor(actor, case, Actor.CASEWORKER)


@audited_service
def journal_add(*, actor: User, case: Case, text: str) -> JournalEntry:
    """Write a journal note on the case."""
    require(actor, Capability.WRITE_JOURNAL)
    _require_casework_access(actor, case, Part.JOURNAL)
    text = required_text(text, _("The note cannot be empty."), code="text_required")
    entry = JournalEntry.objects.create(case=case, author=actor, text=text)
    audit_case_change(
        actor=actor,
        action="journal.add",
        obj=entry,
        changes={"length": len(text)},
        case=case,
    )
    return entry


@audited_service
def journal_correct(*, actor: User, entry: JournalEntry, text: str, reason: str) -> JournalEntry:
    """Correct a journal note with a new entry that points at the old; the old stays."""
    require(actor, Capability.WRITE_JOURNAL)
    case = entry.case
    _require_casework_access(actor, case, Part.JOURNAL)
    text = required_text(text, _("The note cannot be empty."), code="text_required")
    reason = required_text(reason, _("Say why the note is corrected."), code="reason_required")
    if JournalEntry.objects.filter(corrects=entry).exists():
        raise ValidationError(
            _("This note has already been corrected; correct the newest version."), code="corrected"
        )
    correction = JournalEntry.objects.create(case=case, author=actor, text=text, corrects=entry)
    audit_case_change(
        actor=actor,
        action="journal.correct",
        obj=correction,
        changes={"corrects": entry.pk, "length": len(text)},
        reason=reason,
        case=case,
    )
    return correction


@audited_service
def break_glass_open(*, actor: User, reference: str, reason: str) -> BreakGlassGrant:
    """Give ``actor`` one hour's access to a case outside their scope, on a written reason."""
    require(actor, Capability.BREAK_GLASS)
    reason = reason.strip()
    if len(reason) < 15:
        raise ValidationError(
            _("Describe the reason in at least 15 characters."), code="reason_too_short"
        )
    case = Case.objects.filter(reference=reference.strip().upper()).first()
    not_found = ValidationError(_("No case can be opened with this reference."), code="not_found")
    if case is None:
        raise not_found
    try:  # a barred user hears the same as for a reference that does not exist
        check_person_rules(user_id=actor.pk, person_id=case.person_id)
    except AccessRuleDenied:
        raise not_found from None
    existing = case_access(actor, case)
    if existing is not None and not existing.break_glass:
        raise ValidationError(_("You already have access to this case."), code="in_scope")
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        user=actor,
        case=case,
        reason=reason,
        granted_at=now,
        expires_at=now + timedelta(minutes=settings.VEJUD_BREAK_GLASS_MINUTES),
    )
    audit_case_change(
        actor=actor,
        action="case.break_glass",
        obj=grant,
        changes={"expires_at": grant.expires_at},
        reason=reason,
        case=case,
    )
    return grant


@audited_service
def break_glass_review(*, actor: User, grant: BreakGlassGrant, note: str) -> BreakGlassGrant:
    """Mark a break-glass access as reviewed by an auditor, with the auditor's note."""
    require(actor, Capability.REVIEW_BREAK_GLASS)
    grant = lock_unstamped(grant, "reviewed", _("This access has already been reviewed."))
    if grant.user_id == actor.pk:
        raise PermissionDenied(_("You cannot review your own access."))
    stamp(grant, "reviewed", actor, review_note=note.strip())
    audit_record(
        actor=actor,
        action="case.break_glass_review",
        obj=grant,
        changes={"note": grant.review_note},
        case_id=grant.case_id,
    )
    return grant


@audited_service
def mentor_assign(
    *, actor: User, case: Case, mentor: Any, starts_on: date | None = None
) -> MentorAssignment:
    """Assign a mentor to the case, ending the previous mentor's period."""
    require(actor, Capability.WRITE_JOURNAL)
    require_actor(actor, case, Actor.CASEWORKER)
    if not is_mentor(mentor):
        raise ValidationError(_("The user is not a mentor."), code="not_mentor")
    if person_bars(mentor, case.person_id):
        raise ValidationError(
            _("The person's access lists bar this user from the case."), code="barred"
        )
    start = starts_on or timezone.localdate()
    for current in MentorAssignment.objects.select_for_update().filter(
        case=case, ends_on__isnull=True
    ):
        save_fields(current, ends_on=max(start, current.starts_on))
        audit_case_change(
            actor=actor,
            action="mentor.end",
            obj=current,
            changes={"ends_on": current.ends_on},
            case=case,
        )
    assignment = MentorAssignment.objects.create(case=case, mentor=mentor, starts_on=start)
    audit_case_change(actor=actor, action="mentor.assign", obj=assignment, case=case)
    return assignment


class StaleCaseError(Exception):
    """Someone else changed the case since the user loaded it."""

    def __init__(self) -> None:
        super().__init__(_("The case was changed by someone else. Reload the page and try again."))


def case_lock(*, case: Case, expected_version: int | None) -> Case:
    """Lock the case row; raise StaleCaseError if it changed since ``expected_version``."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleCaseError
    return locked


def case_row_lock(case_id: int) -> None:
    """Lock the case row until the transaction ends, before reading what a stored date sums up.

    Two transactions changing one case's actions (or reviews) then refresh its stored date one
    after the other, the second seeing the first's change. ``no_key``: rows that refer to the
    case (a new action, say) need not wait.
    """
    list(Case.objects.select_for_update(no_key=True).filter(pk=case_id).values_list("pk"))


def require_course_worker(actor: User, case: Case) -> None:
    """Allow unit/custody/national staff of the case while the course is active."""
    require_actor(actor, case, Actor.CASEWORKER)
    if case.status != CaseStatus.ADMITTED:
        raise ValidationError(_("The case has no active exit course."), code="not_admitted")


def _apply_transition(*, actor: User, case: Case, transition: Transition, reason: str) -> Case:
    """Move a locked case along ``transition`` and record it; callers hold the lock."""
    now = timezone.now()
    previous = case.status
    case.status = transition.target
    case.version += 1
    case.status_changed_at = now
    case.updated_at = now
    fields = ["status", "version", "status_changed_at", "updated_at"]
    if transition.target in TERMINAL or transition.target == CaseStatus.CLOSED:
        case.closed_on = timezone.localdate()
        fields.append("closed_on")
    case.save(update_fields=fields)
    record = CaseTransition.objects.create(
        case=case,
        from_status=previous,
        to_status=transition.target,
        actor=actor,
        at=now,
        reason=reason,
    )
    audit_case_change(
        actor=actor,
        action="case.transition",
        obj=record,
        changes={"status": [previous, transition.target]},
        reason=reason,
        case=case,
    )
    return case


def case_transition_nested(
    *, actor: User, case: Case, target: str, reason: str = "", expected_version: int | None = None
) -> Case:
    """Check and make one transition; for use by services that already run in an audit scope."""
    locked = case_lock(case=case, expected_version=expected_version)
    transition = check_transition(locked.status, target)
    if not may_act(actor, locked, transition.actor):
        raise PermissionDenied(_("You may not make this change on the case."))
    reason = reason.strip()
    if transition.reason_required and not reason:
        raise ValidationError(_("Give a reason."), code="reason_required")
    return _apply_transition(actor=actor, case=locked, transition=transition, reason=reason)


@audited_service
def case_transition(
    *, actor: User, case: Case, target: str, reason: str = "", expected_version: int | None = None
) -> Case:
    """Make a plain transition (one not resting on a decision record) on the case."""
    current = Case.objects.only("status").get(pk=case.pk).status
    if (current, target) in DECISION_TARGETS:
        raise ValidationError(
            _("This change is made by recording the decision, not directly."), code="use_decision"
        )
    return case_transition_nested(
        actor=actor, case=case, target=target, reason=reason, expected_version=expected_version
    )
