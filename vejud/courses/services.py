"""Writes for the exit course: agreement, plan, offers, mentor meetings, closure and reopening."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from vejud.access.assignment import person_bars
from vejud.access.cases import case_access, mentor_meetings_open, within_mentor_grace
from vejud.access.casework import require_actor
from vejud.accounts.models import User
from vejud.audit.services import audit_case_change, audited_service, diff, snapshot
from vejud.cases.models import Case, CaseStatus, MentorAssignment
from vejud.cases.services import (
    case_create,
    case_lock,
    case_row_lock,
    case_transition_nested,
    open_case_refuse,
    require_course_worker,
)
from vejud.cases.states import TERMINAL, Actor
from vejud.core.dates import check_plausible_date
from vejud.core.limits import required_text
from vejud.core.records import stamp
from vejud.courses.models import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    CaseClosure,
    CaseOffer,
    ClosureReason,
    ExitAgreement,
    LifeArea,
    MeetingForm,
    MentorMeeting,
    OfferStatus,
    OwnerAgency,
    Party,
    PlanAction,
    PlanGoal,
)
from vejud.followup.services import review_from_refresh
from vejud.offers.models import OfferType


def action_due_refresh(*, case_id: int) -> None:
    """Store on the case the earliest deadline of its open plan actions that nobody owns.

    Call in the transaction that adds an action or changes its deadline, owner or status.
    """
    case_row_lock(case_id)
    earliest = (
        PlanAction.objects.filter(
            case_id=OuterRef("pk"), status__in=OPEN_ACTION_STATUSES, owner__isnull=True
        )
        .order_by("deadline")
        .values("deadline")[:1]
    )
    Case.objects.filter(pk=case_id).update(action_due_on=Subquery(earliest))


def _audit(
    actor: User, action: str, obj: Any, case: Case, changes: dict[str, Any], reason: str = ""
) -> None:
    audit_case_change(
        actor=actor,
        action=action,
        obj=obj,
        changes=changes,
        reason=reason,
        case=case,
    )


@audited_service
def agreement_save(
    *,
    actor: User,
    case: Case,
    parties: list[str],
    starts_on: date,
    expected_months: int,
    signed_on: date | None = None,
    terms: str = "",
) -> ExitAgreement:
    """Draw up or change the exit agreement; its start date starts the course."""
    require_course_worker(actor, case)
    parties = sorted(set(parties))
    if (
        Party.PERSON not in parties
        or any(p not in Party.values for p in parties)
        or len(parties) < 3
    ):
        raise ValidationError(
            _(
                "The agreement is between the person, the police and the municipality (and Kriminalforsorgen where relevant)."
            ),
            code="parties",
        )
    check_plausible_date(starts_on, label=_("The start date"))
    if not 1 <= expected_months <= 36:
        raise ValidationError(
            _("The expected duration is 1 to 36 months (typically 6-12)."), code="duration"
        )
    if signed_on is not None and signed_on > timezone.localdate():
        raise ValidationError(_("The agreement cannot be signed in the future."), code="signed_on")
    agreement = ExitAgreement.objects.select_for_update().filter(case=case).first()
    before = snapshot(agreement) if agreement else {}
    if agreement is None:
        agreement = ExitAgreement(case=case, created_by=actor, starts_on=starts_on)
    agreement.parties = parties
    agreement.starts_on = starts_on
    agreement.expected_months = expected_months
    agreement.signed_on = signed_on
    agreement.terms = terms.strip()
    agreement.updated_at = timezone.now()
    agreement.save()
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.course_started_on != starts_on:
        locked.course_started_on = starts_on
        locked.updated_at = timezone.now()
        locked.save(update_fields=["course_started_on", "updated_at"])
        review_from_refresh(case_id=locked.pk)
    _audit(actor, "agreement.save", agreement, case, diff(before, snapshot(agreement)))
    return agreement


@audited_service
def goal_add(*, actor: User, case: Case, life_area: str, goal: str) -> PlanGoal:
    """Add a goal to the exit plan for one life area."""
    require_course_worker(actor, case)
    if life_area not in LifeArea.values:
        raise ValidationError(_("Choose a life area."), code="life_area")
    goal = required_text(goal, _("Describe the goal."), code="goal")
    record = PlanGoal.objects.create(case=case, life_area=life_area, goal=goal, created_by=actor)
    _audit(actor, "plan.goal_add", record, case, snapshot(record))
    return record


@audited_service
def goal_update(*, actor: User, plan_goal: PlanGoal, life_area: str, goal: str) -> PlanGoal:
    """Change a goal's text or life area (its actions stay with it)."""
    case = plan_goal.case
    require_course_worker(actor, case)
    if life_area not in LifeArea.values:
        raise ValidationError(_("Choose a life area."), code="life_area")
    goal = required_text(goal, _("Describe the goal."), code="goal")
    record = PlanGoal.objects.select_for_update().get(pk=plan_goal.pk)
    before = snapshot(record)
    record.life_area, record.goal = life_area, goal
    record.save(update_fields=["life_area", "goal"])
    _audit(actor, "plan.goal_update", record, case, diff(before, snapshot(record)))
    return record


def goal_removable(plan_goal: PlanGoal) -> bool:
    """A goal can be removed while none of its actions is open (planned or in progress)."""
    return not plan_goal.actions.filter(status__in=OPEN_ACTION_STATUSES).exists()


@audited_service
def goal_remove(*, actor: User, plan_goal: PlanGoal, note: str = "") -> None:
    """Remove a goal that has no open action.

    Its closed actions (done or dropped) go with it: the audit entry keeps a snapshot of
    the goal and of each of them. A goal with an open action is refused; finish or drop
    the action first (or move the goal to another life area by editing it).
    """
    case = plan_goal.case
    require_course_worker(actor, case)
    record = PlanGoal.objects.select_for_update().get(pk=plan_goal.pk)
    actions = list(PlanAction.objects.select_for_update().filter(goal=record).order_by("id"))
    if any(action.is_open for action in actions):
        raise ValidationError(
            _("The goal has open actions: finish or drop them before removing the goal."),
            code="open_actions",
        )
    changes = {**snapshot(record), "actions": [snapshot(action) for action in actions]}
    _audit(actor, "plan.goal_remove", record, case, changes, reason=note.strip())
    PlanAction.objects.filter(pk__in=[action.pk for action in actions]).delete()
    record.delete()


def _check_owner(case: Case, owner: Any) -> None:
    if owner is None:
        return
    if person_bars(owner, case.person_id):
        raise ValidationError(
            _("The person's access lists bar this user from the case."), code="barred"
        )
    if case_access(owner, case) is None:
        raise ValidationError(_("The owner must be someone who can see the case."), code="owner")


@audited_service
def action_add(
    *,
    actor: User,
    goal: PlanGoal,
    description: str,
    owner_agency: str,
    deadline: date,
    owner: Any = None,
) -> PlanAction:
    """Add an action to a goal, with an owner agency, optionally a named person, and a deadline."""
    case = goal.case
    require_course_worker(actor, case)
    if owner_agency not in OwnerAgency.values:
        raise ValidationError(_("Choose the owner agency."), code="owner_agency")
    description = required_text(description, _("Describe the action."), code="description")
    check_plausible_date(deadline, label=_("The deadline"))
    _check_owner(case, owner)
    record = PlanAction.objects.create(
        goal=goal,
        case=case,
        description=description,
        owner_agency=owner_agency,
        owner=owner,
        deadline=deadline,
    )
    action_due_refresh(case_id=case.pk)
    _audit(actor, "plan.action_add", record, case, snapshot(record))
    return record


_Updatable = TypeVar("_Updatable", PlanAction, CaseOffer)


def _locked_for_update(
    actor: User, record: _Updatable, status: str, statuses: list[str]
) -> tuple[_Updatable, dict[str, Any]]:
    """Check the worker and the new status, then lock ``record`` and snapshot it before the change."""
    require_course_worker(actor, record.case)
    if status not in statuses:
        raise ValidationError(_("Unknown status."), code="status")
    locked = type(record)._default_manager.select_for_update().get(pk=record.pk)
    return locked, snapshot(locked)


@audited_service
def action_update(
    *, actor: User, action: PlanAction, status: str, outcome: str = "", deadline: date | None = None
) -> PlanAction:
    """Change an action's status, outcome note or deadline."""
    case = action.case
    action, before = _locked_for_update(actor, action, status, ActionStatus.values)
    action.status = status
    action.outcome = outcome.strip()
    if deadline is not None:
        check_plausible_date(deadline, label=_("The deadline"))
        action.deadline = deadline
    action.updated_at = timezone.now()
    action.save()
    action_due_refresh(case_id=action.case_id)
    _audit(actor, "plan.action_update", action, case, diff(before, snapshot(action)))
    return action


@audited_service
def offer_add(
    *,
    actor: User,
    case: Case,
    offer_type: OfferType,
    provider: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
    status: str = OfferStatus.PLANNED,
) -> CaseOffer:
    """Give an offer from the catalogue on the case."""
    require_course_worker(actor, case)
    if status not in OfferStatus.values:
        raise ValidationError(_("Unknown status."), code="status")
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError(_("The offer cannot end before it starts."), code="period")
    for day in (starts_on, ends_on):
        if day is not None:
            check_plausible_date(day, label=_("The offer's dates"))
    record = CaseOffer.objects.create(
        case=case,
        offer_type=offer_type,
        provider=provider.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
        created_by=actor,
    )
    _audit(actor, "offer.add", record, case, snapshot(record))
    return record


@audited_service
def offer_update(
    *, actor: User, offer: CaseOffer, status: str, result: str = "", ends_on: date | None = None
) -> CaseOffer:
    """Change an offer's status, result or end date."""
    case = offer.case
    offer, before = _locked_for_update(actor, offer, status, OfferStatus.values)
    offer.status, offer.result = status, result.strip()
    if ends_on is not None:
        check_plausible_date(ends_on, label=_("The offer's dates"))
        if offer.starts_on and ends_on < offer.starts_on:
            raise ValidationError(_("The offer cannot end before it starts."), code="period")
        offer.ends_on = ends_on
    offer.updated_at = timezone.now()
    offer.save()
    _audit(actor, "offer.update", offer, case, diff(before, snapshot(offer)))
    return offer


def active_assignment(case: Case, mentor: Any, on: date | None = None) -> MentorAssignment | None:
    """Return the mentor's assignment on the case that is in force on ``on``."""
    day = on or timezone.localdate()
    return (
        MentorAssignment.objects.filter(case=case, mentor_id=mentor.pk, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .first()
    )


@audited_service
def meeting_log(
    *,
    actor: User,
    case: Case,
    met_on: date,
    form: str,
    duration_minutes: int,
    note: str = "",
    needs_attention: bool = False,
) -> MentorMeeting:
    """The case's mentor logs a meeting; a flag raises a task for the unit's coordinator."""
    assignment = active_assignment(case, actor)
    if assignment is None or not within_mentor_grace(case):
        raise PermissionDenied(_("Only the case's mentor logs meetings."))
    # The final meeting note may follow the course's end, within the mentor's grace period.
    if not mentor_meetings_open(case):
        raise ValidationError(_("The case has no active exit course."), code="not_admitted")
    if form not in MeetingForm.values:
        raise ValidationError(_("Choose how you met."), code="form")
    if not 1 <= duration_minutes <= 24 * 60:
        raise ValidationError(_("The duration is 1 to 1440 minutes."), code="duration")
    if met_on > timezone.localdate() or met_on < assignment.starts_on:
        raise ValidationError(
            _("The date must be within your period as mentor and not in the future."), code="met_on"
        )
    meeting = MentorMeeting.objects.create(
        assignment=assignment,
        case=case,
        met_on=met_on,
        form=form,
        duration_minutes=duration_minutes,
        note=note.strip(),
        needs_attention=needs_attention,
        created_by=actor,
    )
    _audit(
        actor,
        "mentor.meeting",
        meeting,
        case,
        {"needs_attention": needs_attention, "met_on": met_on},
    )
    return meeting


@audited_service
def meeting_attention_resolve(
    *, actor: User, meeting: MentorMeeting, note: str = ""
) -> MentorMeeting:
    """The unit has looked at a meeting the mentor flagged."""
    case = meeting.case
    require_actor(actor, case, Actor.CASEWORKER)
    meeting = MentorMeeting.objects.select_for_update().get(pk=meeting.pk)
    if not meeting.needs_attention or meeting.attention_resolved_at is not None:
        raise ValidationError(_("Nothing to resolve."), code="resolved")
    stamp(meeting, "attention_resolved", actor)
    _audit(actor, "mentor.attention_resolved", meeting, case, {}, reason=note.strip())
    return meeting


def _ended_at(case: Case, ended_on: date | None) -> datetime:
    """The moment the course ended: now, or noon of an earlier day it ended (recorded after)."""
    today = timezone.localdate()
    if ended_on is None or ended_on == today:
        return timezone.now()
    check_plausible_date(ended_on, label=_("The day the course ended"))
    if ended_on > today or (case.course_started_on and ended_on < case.course_started_on):
        raise ValidationError(_("The course ends between its start and today."), code="ended_on")
    return timezone.make_aware(datetime.combine(ended_on, time(12)))


@audited_service
def case_close(
    *,
    actor: User,
    case: Case,
    reason: str,
    summary: str,
    expected_version: int | None = None,
    ended_on: date | None = None,
) -> CaseClosure:
    """Close an exit course with a reason and a closing summary (``ended_on``: the day it
    ended, when that was before today)."""
    if reason not in ClosureReason.values:
        raise ValidationError(_("Choose why the course ends."), code="reason")
    summary = required_text(summary, _("Write the closing summary."), code="summary")
    closed_at = _ended_at(case, ended_on)
    locked = case_lock(case=case, expected_version=expected_version)
    case_transition_nested(
        actor=actor, case=locked, target=CaseStatus.CLOSED, reason=str(ClosureReason(reason).label)
    )
    closure = CaseClosure.objects.create(
        case=locked, reason=reason, summary=summary, closed_by=actor, closed_at=closed_at
    )
    _audit(actor, "case.close", closure, locked, snapshot(closure))
    return closure


@audited_service
def case_reopen(*, actor: User, case: Case, note: str = "") -> Case:
    """Reopen: a new case (a new attempt) for the same person, linked to the earlier one."""
    require_actor(actor, case, Actor.CASEWORKER)
    if case.status not in TERMINAL:
        raise ValidationError(_("Only an ended case can be reopened."), code="not_ended")
    # Lock the person and refuse a second open case (OpenCaseError: 409), then link the newest.
    open_case_refuse(case.person)
    latest = Case.objects.filter(person_id=case.person_id).order_by("-opened_on", "-id").first()
    new = case_create(
        actor=actor,
        person=case.person,
        unit=case.responsible_unit,
        track=case.track,
        institution=case.institution,
        opened_on=timezone.localdate(),
        previous_case=latest,
    )
    _audit(actor, "case.reopen", new, new, {"previous_case": case.reference}, reason=note.strip())
    return new
