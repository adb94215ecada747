"""The exit course through the API: agreement, plan, offers, mentor and meetings, closure.

Same services and gate as the course pages (``vejud.courses.views``). Casework operations
open the journal part of the case, so a mentor gets 404 on them; the course view and the
meeting log open the mentor-view part, and a mentor sees only the mentor view: the
person's name, the plan, the offers and their own meetings. Reads are access-logged with
channel "api".
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Router, Status

from vejud.access.assignment import mentor_candidates, owner_candidates
from vejud.access.cases import CaseAccess, cases_visible_to, log_case_access, mentor_meetings_open
from vejud.access.rules import Part
from vejud.accounts.models import User
from vejud.api.auth import api_user
from vejud.api.gates import CaseGate, case_access_of
from vejud.api.routers.process import READ_ERRORS, WRITE_ERRORS
from vejud.api.schemas import ID_MAX, REFERENCE_PATTERN
from vejud.api.schemas_course import (
    ActionIn,
    ActionOut,
    ActionPatchIn,
    AgreementIn,
    AgreementOut,
    ClosureIn,
    ClosureResultOut,
    CourseViewOut,
    GoalIn,
    GoalOut,
    MeetingIn,
    MeetingOut,
    MentorAssignIn,
    MentorAssignmentOut,
    OfferIn,
    OfferOut,
    OfferPatchIn,
    ReopenIn,
    ReopenOut,
    ResolutionIn,
)
from vejud.cases.models import Case, MentorAssignment
from vejud.cases.services import mentor_assign
from vejud.courses.models import (
    CaseClosure,
    CaseOffer,
    ExitAgreement,
    MentorMeeting,
    PlanAction,
    PlanGoal,
)
from vejud.courses.selectors import (
    AreaPlan,
    add_months,
    course_overview,
    course_plan,
    mentor_meetings,
)
from vejud.courses.services import (
    action_add,
    action_update,
    active_assignment,
    agreement_save,
    case_close,
    case_reopen,
    goal_add,
    meeting_attention_resolve,
    meeting_log,
    offer_add,
    offer_update,
)
from vejud.offers.models import OfferType

router = Router(tags=["course"])

# Casework on the course: the journal part (a mentor gets 404).
CASEWORK = CaseGate(part=Part.JOURNAL)
# The course view and the meeting log: the mentor-view part (staff and the case's mentor).
MENTOR_VIEW = CaseGate(part=Part.MENTOR_VIEW)
BASE = "/cases/{reference}"
MEETINGS_SHOWN = 100


def log_case_read(request: HttpRequest, access: CaseAccess, part: str) -> None:
    """Log a read of the case through the API."""
    log_case_access(
        user=api_user(request),
        access=access,
        part=part,
        request=request,
        channel="api",
    )


def field_error(field: str, message: str) -> ValidationError:
    """Return a 422 for one field of the body, with the field's name as its type."""
    return ValidationError({field: ValidationError(message, code=field)})


def case_state(case_id: int) -> dict[str, Any]:
    """Return the case's state as stored (a service may hold an older copy of the row)."""
    case = Case.objects.only("reference", "status", "version").get(pk=case_id)
    return {"reference": case.reference, "status": case.status, "version": case.version}


# --- Shapes ------------------------------------------------------------------------------


def _expected_end(agreement: ExitAgreement) -> date | None:
    try:
        return add_months(agreement.starts_on, agreement.expected_months)
    except (ValueError, OverflowError):  # a start date at the end of the calendar
        return None


def agreement_out(agreement: ExitAgreement) -> dict[str, Any]:
    return {
        "parties": list(agreement.parties),
        "starts_on": agreement.starts_on,
        "expected_months": agreement.expected_months,
        "expected_end": _expected_end(agreement),
        "signed_on": agreement.signed_on,
        "terms": agreement.terms,
        "created_by": agreement.created_by.full_name,
        "created_at": agreement.created_at,
        "updated_at": agreement.updated_at,
    }


def action_out(action: PlanAction, today: date) -> dict[str, Any]:
    return {
        "id": action.pk,
        "goal_id": action.goal_id,
        "description": action.description,
        "owner_agency": action.owner_agency,
        "owner": action.owner.full_name if action.owner else None,
        "deadline": action.deadline,
        "status": action.status,
        "outcome": action.outcome,
        "overdue": action.is_open and action.deadline < today,
        "updated_at": action.updated_at,
    }


def goal_out(goal: PlanGoal, actions: list[PlanAction], today: date) -> dict[str, Any]:
    return {
        "id": goal.pk,
        "life_area": goal.life_area,
        "goal": goal.goal,
        "created_at": goal.created_at,
        "actions": [action_out(a, today) for a in actions],
    }


def plan_out(areas: list[AreaPlan], today: date) -> list[dict[str, Any]]:
    return [
        {
            "life_area": area.code,
            "label": str(area.label),
            "goals": [goal_out(g, list(g.actions.all()), today) for g in area.goals],
        }
        for area in areas
    ]


def offer_out(offer: CaseOffer) -> dict[str, Any]:
    return {
        "id": offer.pk,
        "offer_type": offer.offer_type.code,
        "name": offer.offer_type.name,
        "provider": offer.provider,
        "starts_on": offer.starts_on,
        "ends_on": offer.ends_on,
        "status": offer.status,
        "result": offer.result,
        "updated_at": offer.updated_at,
    }


def assignment_out(assignment: MentorAssignment, today: date) -> dict[str, Any]:
    return {
        "id": assignment.pk,
        "mentor": assignment.mentor.full_name,
        "starts_on": assignment.starts_on,
        "ends_on": assignment.ends_on,
        "current": assignment.starts_on <= today
        and (assignment.ends_on is None or assignment.ends_on >= today),
    }


def meeting_out(meeting: MentorMeeting) -> dict[str, Any]:
    resolver = meeting.attention_resolved_by if meeting.attention_resolved_by_id else None
    return {
        "id": meeting.pk,
        "mentor": meeting.assignment.mentor.full_name,
        "met_on": meeting.met_on,
        "form": meeting.form,
        "duration_minutes": meeting.duration_minutes,
        "note": meeting.note,
        "needs_attention": meeting.needs_attention,
        "attention_resolved_at": meeting.attention_resolved_at,
        "attention_resolved_by": resolver.full_name if resolver else None,
    }


def closure_out(closure: CaseClosure) -> dict[str, Any]:
    return {
        "reason": closure.reason,
        "reason_label": str(closure.get_reason_display()),
        "summary": closure.summary,
        "closed_by": closure.closed_by.full_name,
        "closed_at": closure.closed_at,
    }


def _people(users: Any) -> list[dict[str, str]]:
    return [{"email": u.email, "name": u.full_name} for u in users.only("email", "full_name")]


def course_out(access: CaseAccess, user: User) -> dict[str, Any]:
    """Return the unit's view of the course, in a fixed number of queries."""
    case = access.case
    overview = course_overview(access, user)
    today = overview.plan.today
    meetings = list(
        MentorMeeting.objects.filter(case=case)
        .select_related("assignment__mentor", "attention_resolved_by")
        .order_by("-met_on", "-id")[: MEETINGS_SHOWN + 1]
    )
    previous = None
    if case.previous_case_id:
        previous = (
            cases_visible_to(user)
            .filter(pk=case.previous_case_id)
            .values_list("reference", flat=True)
            .first()
        )
    editable = overview.actions["edit"]
    return {
        "view": "casework",
        "reference": case.reference,
        "status": case.status,
        "version": case.version,
        "track": case.track,
        "course_started_on": case.course_started_on,
        "agreement": agreement_out(overview.agreement) if overview.agreement else None,
        "plan": plan_out(overview.plan.areas, today),
        "offers": [offer_out(o) for o in overview.plan.offers],
        "wishes": [{"code": w.code, "name": w.name, "offered": w.offered} for w in overview.wishes],
        "wishes_from_version": overview.wishes_from.version if overview.wishes_from else None,
        "gaps": [w.code for w in overview.gaps],
        "mentors": [assignment_out(a, today) for a in overview.mentors],
        "current_mentor": (
            assignment_out(overview.current_mentor, today) if overview.current_mentor else None
        ),
        "meetings": [meeting_out(m) for m in meetings[:MEETINGS_SHOWN]],
        "meetings_more": len(meetings) > MEETINGS_SHOWN,
        "meeting_count": overview.meeting_count,
        "attention": [meeting_out(m) for m in overview.attention],
        "closure": closure_out(overview.closure) if overview.closure else None,
        "previous_reference": previous,
        "actions": overview.actions,
        "mentor_candidates": _people(mentor_candidates(case)) if editable else [],
        "owner_candidates": _people(owner_candidates(case)) if editable else [],
    }


def mentor_course_out(access: CaseAccess, user: User) -> dict[str, Any]:
    """Return the mentor's view: name, plan, offers, own meetings; nothing else."""
    case = access.case
    plan = course_plan(case)
    assignment = active_assignment(case, user)
    return {
        "view": "mentor",
        "reference": case.reference,
        "status": case.status,
        "person_name": case.person.full_name,
        "plan": plan_out(plan.areas, plan.today),
        "offers": [offer_out(o) for o in plan.offers],
        "meetings": [meeting_out(m) for m in mentor_meetings(case, user, own_only=True)],
        "can_log": assignment is not None and mentor_meetings_open(case),
    }


# --- The course view ---------------------------------------------------------------------


@router.get(
    BASE + "/course",
    auth=MENTOR_VIEW.auth,
    openapi_extra=MENTOR_VIEW.policy,
    response={200: CourseViewOut, **READ_ERRORS},
    operation_id="course_overview",
    summary="Show the exit course (the mentor view for a mentor)",
)
def course(request: HttpRequest, reference: str = Path(..., pattern=REFERENCE_PATTERN)) -> Any:
    """Return agreement, plan, offers next to the help wished for, mentors and meetings,
    and the actions the caller may take. A mentor gets only the mentor view (view "mentor").
    The view is logged."""
    access = case_access_of(request)
    user = api_user(request)
    if access.as_mentor:
        data = mentor_course_out(access, user)
        log_case_read(request, access, Part.MENTOR_VIEW.value)
    else:
        data = course_out(access, user)
        log_case_read(request, access, "course")
    return data


# --- Agreement and plan --------------------------------------------------------------------


@router.put(
    BASE + "/agreement",
    auth=CASEWORK.auth,
    openapi_extra=CASEWORK.policy,
    response={200: AgreementOut, **WRITE_ERRORS},
    operation_id="agreement_save",
    summary="Draw up or change the exit agreement",
)
def agreement(
    request: HttpRequest,
    payload: AgreementIn,
    reference: str = Path(..., pattern=REFERENCE_PATTERN),
) -> Any:
    """Save the exit agreement (exitaftale); its start date starts the course."""
    saved = agreement_save(
        actor=api_user(request),
        case=case_access_of(request).case,
        parties=[p.value for p in payload.parties],
        starts_on=payload.starts_on,
        expected_months=payload.expected_months,
        signed_on=payload.signed_on,
        terms=payload.terms,
    )
    return agreement_out(saved)


@router.post(
    BASE + "/goals",
    auth=CASEWORK.auth,
    openapi_extra=CASEWORK.policy,
    response={201: GoalOut, **WRITE_ERRORS},
    operation_id="goal_add",
    summary="Add a goal to the exit plan",
)
def goal_new(
    request: HttpRequest,
    payload: GoalIn,
    reference: str = Path(..., pattern=REFERENCE_PATTERN),
) -> Status[Any]:
    """Add a goal for one life area."""
    goal = goal_add(
        actor=api_user(request),
        case=case_access_of(request).case,
        life_area=payload.life_area.value,
        goal=payload.goal,
    )
    return Status(201, goal_out(goal, [], timezone.localdate()))


@router.post(
    BASE + "/goals/{goal_id}/actions",
    auth=CASEWORK.auth,
    openapi_extra=CASEWORK.policy,
    response={201: ActionOut, **WRITE_ERRORS},
    operation_id="action_add",
    summary="Add an action to a goal",
)
def action_new(
    request: HttpRequest,
    payload: ActionIn,
    reference: str = Path(..., pattern=REFERENCE_PATTERN),
    goal_id: int = Path(..., ge=1, le=ID_MAX),
) -> Status[Any]:
    """Add an action with an owner agency, optionally a named owner, and a deadline."""
    case = case_access_of(request).case
    goal = get_object_or_404(PlanGoal, pk=goal_id, case=case)
    goal.case = case
    owner = None
    if payload.owner is not None:
        owner = owner_candidates(case).filter(email__iexact=payload.owner).first()
        if owner is None:
            raise field_error("owner", _("The owner must be someone who can see the case."))
    action = action_add(
        actor=api_user(request),
        goal=goal,
        description=payload.description,
        owner_agency=payload.owner_agency.value,
        deadline=payload.deadline,
        owner=owner,
    )
    return Status(201, action_out(action, timezone.localdate()))


@router.patch(
    BASE + "/actions/{action_id}",
    auth=CASEWORK.auth,
    openapi_extra=CASEWORK.policy,
    response={200: ActionOut, **WRITE_ERRORS},
    operation_id="action_update",
    summary="Change an action's status, outcome or deadline",
)
def action_change(
    request: HttpRequest,
    payload: ActionPatchIn,
    reference: str = Path(..., pattern=REFERENCE_PATTERN),
    action_id: int = Path(..., ge=1, le=ID_MAX),
) -> Any:
    """Change what is given; the rest stays as it is."""
    case = case_access_of(request).case
    action = get_object_or_404(PlanAction, pk=action_id, case=case)
    action.case = case
    updated = action_update(
        actor=api_user(request),
        action=action,
        status=payload.status.value if payload.status else action.status,
        outcome=action.outcome if payload.outcome is None else payload.outcome,
        deadline=payload.deadline,
    )
    return action_out(updated, timezone.localdate())


# --- Offers --------------------------------------------------------------------------------


@router.post(
    BASE + "/offers",
    auth=CASEWORK.auth,
    openapi_extra=CASEWORK.policy,
    response={201: OfferOut, **WRITE_ERRORS},
    operation_id="offer_add",
    summary="Give an offer from the catalogue",
)
def offer_new(
    request: HttpRequest,
    payload: OfferIn,
    reference: str = Path(..., pattern=REFERENCE_PATTERN),
) -> Status[Any]:
    """Give an offer on the case: provider, period and status."""
    offer_type = OfferType.objects.filter(code=payload.offer_type, is_active=True).first()
    if offer_type is None:
        raise field_error("offer_type", _("Unknown offer."))
    offer = offer_add(
        actor=api_user(request),
        case=case_access_of(request).case,
        offer_type=offer_type,
        provider=payload.provider,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        status=payload.status.value,
    )
    return Status(201, offer_out(offer))


@router.patch(
    BASE + "/offers/{offer_id}",
    auth=CASEWORK.auth,
    openapi_extra=CASEWORK.policy,
    response={200: OfferOut, **WRITE_ERRORS},
    operation_id="offer_update",
    summary="Change an offer's status, result or end date",
)
def offer_change(
    request: HttpRequest,
    payload: OfferPatchIn,
    reference: str = Path(..., pattern=REFERENCE_PATTERN),
    offer_id: int = Path(..., ge=1, le=ID_MAX),
) -> Any:
    """Change what is given; the rest stays as it is."""
    case = case_access_of(request).case
    offer = get_object_or_404(
        CaseOffer.objects.select_related("offer_type"), pk=offer_id, case=case
    )
    offer.case = case
    updated = offer_update(
        actor=api_user(request),
        offer=offer,
        status=payload.status.value if payload.status else offer.status,
        result=offer.result if payload.result is None else payload.result,
        ends_on=payload.ends_on,
    )
    updated.offer_type = offer.offer_type
    return offer_out(updated)


# --- Mentor and meetings -------------------------------------------------------------------


@router.post(
    BASE + "/mentor",
    auth=CASEWORK.auth,
    openapi_extra=CASEWORK.policy,
    response={201: MentorAssignmentOut, **WRITE_ERRORS},
    operation_id="mentor_assign",
    summary="Assign a mentor (the previous mentor's period ends)",
)
def mentor_new(
    request: HttpRequest,
    payload: MentorAssignIn,
    reference: str = Path(..., pattern=REFERENCE_PATTERN),
) -> Status[Any]:
    """Assign a mentor of the case's unit; mentor changes are kept as history."""
    case = case_access_of(request).case
    mentor = mentor_candidates(case).filter(email__iexact=payload.mentor).first()
    if mentor is None:
        raise field_error("mentor", _("Choose a mentor of the case's unit."))
    assignment = mentor_assign(
        actor=api_user(request),
        case=case,
        mentor=mentor,
        starts_on=payload.starts_on,
    )
    return Status(201, assignment_out(assignment, timezone.localdate()))


@router.post(
    BASE + "/meetings",
    auth=MENTOR_VIEW.auth,
    openapi_extra=MENTOR_VIEW.policy,
    response={201: MeetingOut, **WRITE_ERRORS},
    operation_id="meeting_log",
    summary="Log a meeting (the case's mentor)",
)
def meeting_new(
    request: HttpRequest,
    payload: MeetingIn,
    reference: str = Path(..., pattern=REFERENCE_PATTERN),
) -> Status[Any]:
    """The case's mentor logs a meeting; needs_attention raises a task for the coordinator.
    Anyone else is answered 403."""
    meeting = meeting_log(
        actor=api_user(request),
        case=case_access_of(request).case,
        met_on=payload.met_on,
        form=payload.form.value,
        duration_minutes=payload.duration_minutes,
        note=payload.note,
        needs_attention=payload.needs_attention,
    )
    return Status(201, meeting_out(meeting))


@router.post(
    BASE + "/meetings/{meeting_id}/resolution",
    auth=CASEWORK.auth,
    openapi_extra=CASEWORK.policy,
    response={200: MeetingOut, **WRITE_ERRORS},
    operation_id="meeting_resolve",
    summary="Mark a flagged meeting as looked at by the unit",
)
def meeting_resolution(
    request: HttpRequest,
    payload: ResolutionIn,
    reference: str = Path(..., pattern=REFERENCE_PATTERN),
    meeting_id: int = Path(..., ge=1, le=ID_MAX),
) -> Any:
    """Resolve the mentor's flag on a meeting of this case."""
    case = case_access_of(request).case
    meeting = get_object_or_404(MentorMeeting, pk=meeting_id, case=case)
    meeting.case = case
    resolved = meeting_attention_resolve(
        actor=api_user(request),
        meeting=meeting,
        note=payload.note,
    )
    return meeting_out(
        MentorMeeting.objects.select_related("assignment__mentor", "attention_resolved_by").get(
            pk=resolved.pk
        )
    )


# --- Closure and reopening -----------------------------------------------------------------


@router.post(
    BASE + "/closure",
    auth=CASEWORK.auth,
    openapi_extra=CASEWORK.policy,
    response={201: ClosureResultOut, **WRITE_ERRORS},
    operation_id="case_close",
    summary="Close the exit course with a reason and a closing summary",
)
def closure(
    request: HttpRequest,
    payload: ClosureIn,
    reference: str = Path(..., pattern=REFERENCE_PATTERN),
) -> Status[Any]:
    """Close the course. 409 if the case changed since expected_version or cannot close."""
    closed = case_close(
        actor=api_user(request),
        case=case_access_of(request).case,
        reason=payload.reason.value,
        summary=payload.summary,
        expected_version=payload.expected_version,
    )
    return Status(201, {"closure": closure_out(closed), "case": case_state(closed.case_id)})


@router.post(
    BASE + "/reopen",
    auth=CASEWORK.auth,
    openapi_extra=CASEWORK.policy,
    response={201: ReopenOut, **WRITE_ERRORS},
    operation_id="case_reopen",
    summary="Reopen an ended case as a new attempt",
)
def reopen(
    request: HttpRequest,
    payload: ReopenIn,
    reference: str = Path(..., pattern=REFERENCE_PATTERN),
) -> Status[Any]:
    """Open a new case for the same person, linked to the earlier attempts."""
    case = case_access_of(request).case
    new = case_reopen(
        actor=api_user(request),
        case=case,
        note=payload.note,
    )
    return Status(201, {"previous_reference": case.reference, "case": case_state(new.pk)})
