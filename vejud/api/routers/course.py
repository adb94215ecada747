"""The exit course through the API: agreement, plan, offers, mentor and meetings, closure.

Same services and gate as the course pages (``vejud.courses.views``). Casework operations
open the journal part of the case, so a mentor gets 404 on them; the course view and the
meeting log open the mentor-view part, and a mentor sees only the mentor view: the
person's name, the plan, the offers and their own meetings. Reads are access-logged with
channel "api".
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from vejud.access.assignment import mentor_candidates, owner_candidates
from vejud.access.cases import CaseAccess, cases_visible_to
from vejud.access.rules import Part
from vejud.accounts.models import User
from vejud.api.auth import api_user
from vejud.api.gates import CaseGate, case_access_of, log_case_read
from vejud.api.operations import READ_ERRORS, Operation, register
from vejud.api.schemas import ReferencePath
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
from vejud.cases.models import Case
from vejud.courses.actions import (
    ACTION_ADD,
    ACTION_UPDATE,
    AGREEMENT_SAVE,
    COURSE_CLOSE,
    COURSE_REOPEN,
    GOAL_ADD,
    GOAL_REMOVE,
    GOAL_UPDATE,
    MEETING_LOG,
    MEETING_RESOLVE,
    MENTOR_ASSIGN,
    OFFER_ADD,
    OFFER_UPDATE,
)
from vejud.courses.models import (
    CaseClosure,
    CaseOffer,
    MentorMeeting,
)
from vejud.courses.selectors import (
    course_overview,
    course_plan,
    mentor_meetings,
)
from vejud.offers.models import OfferType

router = Router(tags=["course"])

# The course view and the meeting log: the mentor-view part (staff and the case's mentor).
MENTOR_VIEW = CaseGate(part=Part.MENTOR_VIEW)
BASE = "/cases/{reference}"
MEETINGS_SHOWN = 100


def field_error(field: str, message: str) -> ValidationError:
    """Return a 422 for one field of the body, with the field's name as its type."""
    return ValidationError({field: ValidationError(message, code=field)})


def case_state(case_id: int) -> dict[str, Any]:
    """Return the case's state as stored (a service may hold an older copy of the row)."""
    case = Case.objects.only("reference", "status", "version").get(pk=case_id)
    return {"reference": case.reference, "status": case.status, "version": case.version}


# --- Shapes ------------------------------------------------------------------------------


def _people(users: Any) -> list[dict[str, str]]:
    return [{"email": u.email, "name": u.full_name} for u in users.only("email", "full_name")]


def _casework_view(access: CaseAccess, user: User) -> dict[str, Any]:
    """Return the unit's view of the course, in a fixed number of queries."""
    case = access.case
    overview = course_overview(access, user)
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
        "agreement": overview.agreement,
        "plan": overview.plan.areas,
        "offers": overview.plan.offers,
        "wishes": [{"code": w.code, "name": w.name, "offered": w.offered} for w in overview.wishes],
        "wishes_from_version": overview.wishes_from.version if overview.wishes_from else None,
        "gaps": [w.code for w in overview.gaps],
        "mentors": overview.mentors,
        "current_mentor": overview.current_mentor,
        "meetings": meetings[:MEETINGS_SHOWN],
        "meetings_more": len(meetings) > MEETINGS_SHOWN,
        "meeting_count": overview.meeting_count,
        "attention": overview.attention,
        "closure": overview.closure,
        "previous_reference": previous,
        "actions": overview.actions,
        "mentor_candidates": _people(mentor_candidates(case)) if editable else [],
        "owner_candidates": _people(owner_candidates(case)) if editable else [],
    }


def _mentor_view(access: CaseAccess, user: User) -> dict[str, Any]:
    """Return the mentor's view: name, plan, offers, own meetings; nothing else."""
    case = access.case
    plan = course_plan(case)
    return {
        "view": "mentor",
        "reference": case.reference,
        "status": case.status,
        "person_name": case.person.full_name,
        "plan": plan.areas,
        "offers": plan.offers,
        "meetings": mentor_meetings(case, user, own_only=True),
        "can_log": MEETING_LOG.possible(user, case),
    }


# --- The course view ---------------------------------------------------------------------


@MENTOR_VIEW.route(
    router.get,
    BASE + "/course",
    {200: CourseViewOut, **READ_ERRORS},
    "course_overview",
    "Show the exit course (the mentor view for a mentor)",
)
def course(request: HttpRequest, reference: str = ReferencePath) -> Any:
    """Return agreement, plan, offers next to the help wished for, mentors and meetings,
    and the actions the caller may take. A mentor gets only the mentor view (view "mentor").
    The view is logged."""
    access = case_access_of(request)
    user = api_user(request)
    if access.as_mentor:
        data = _mentor_view(access, user)
        log_case_read(request, access, Part.MENTOR_VIEW.value)
    else:
        data = _casework_view(access, user)
        log_case_read(request, access, "course")
    return data


# --- Agreement and plan --------------------------------------------------------------------


# --- Offers --------------------------------------------------------------------------------


# --- The declared course actions (courses/actions.py) ----------------------------------------


def _owner(case: Case, email: str | None) -> User | None:
    if email is None:
        return None
    owner = owner_candidates(case).filter(email__iexact=email).first()
    if owner is None:
        raise field_error("owner", _("The owner must be someone who can see the case."))
    return owner


def _mentor(case: Case, email: str) -> User:
    mentor = mentor_candidates(case).filter(email__iexact=email).first()
    if mentor is None:
        raise field_error("mentor", _("Choose a mentor of the case's unit."))
    return mentor


def _offer_type(code: str) -> OfferType:
    offer_type = OfferType.objects.filter(code=code, is_active=True).first()
    if offer_type is None:
        raise field_error("offer_type", _("Unknown offer."))
    return offer_type


def _kept(target: Any, data: dict[str, Any], *names: str) -> dict[str, Any]:
    """A PATCH: the fields ``names`` not given keep the target's values."""
    return {**data, **{n: getattr(target, n) for n in names if data.get(n) is None}}


def _meeting(meeting: MentorMeeting) -> MentorMeeting:
    related = MentorMeeting.objects.select_related("assignment__mentor", "attention_resolved_by")
    return related.get(pk=meeting.pk)


def _offer(offer: CaseOffer) -> CaseOffer:
    return CaseOffer.objects.select_related("offer_type").get(pk=offer.pk)


def _closure(closed: CaseClosure) -> dict[str, Any]:
    return {"closure": closed, "case": case_state(closed.case_id)}


def _same(result: Any) -> Any:
    """The service's result as it is (its schema reads the attributes)."""
    return result


def _reopened(new: Case) -> dict[str, Any]:
    previous = Case.objects.only("reference").get(pk=new.previous_case_id or 0)
    return {"previous_reference": previous.reference, "case": case_state(new.pk)}


register(
    router,
    Operation(
        AGREEMENT_SAVE,
        "/agreement",
        AgreementIn,
        AgreementOut,
        _same,
        "Draw up or change the exit agreement",
        "agreement_save",
        status=200,
        method="PUT",
    ),
    Operation(
        GOAL_ADD,
        "/goals",
        GoalIn,
        GoalOut,
        _same,
        "Add a goal to the exit plan",
        "goal_add",
    ),
    Operation(
        GOAL_UPDATE,
        "/goals/{goal_id}",
        GoalIn,
        GoalOut,
        _same,
        "Change a goal's text or life area",
        "goal_update",
        status=200,
        method="PUT",
    ),
    Operation(
        GOAL_REMOVE,
        "/goals/{goal_id}",
        None,
        None,
        _same,
        "Remove a goal from the exit plan",
        "goal_remove",
        status=204,
        method="DELETE",
        description="Removes a goal none of whose actions is open (planned or in progress): "
        "its done and dropped actions go with it and the audit entry keeps them. A goal with "
        "an open action is answered 409.",
    ),
    Operation(
        ACTION_ADD,
        "/goals/{goal_id}/actions",
        ActionIn,
        ActionOut,
        _same,
        "Add an action to a goal",
        "action_add",
        prepare=lambda case, goal, data: {**data, "owner": _owner(case, data["owner"])},
    ),
    Operation(
        ACTION_UPDATE,
        "/actions/{action_id}",
        ActionPatchIn,
        ActionOut,
        _same,
        "Change an action's status, outcome or deadline",
        "action_update",
        status=200,
        method="PATCH",
        prepare=lambda case, action, data: _kept(action, data, "status", "outcome"),
    ),
    Operation(
        OFFER_ADD,
        "/offers",
        OfferIn,
        OfferOut,
        _offer,
        "Give an offer from the catalogue",
        "offer_add",
        prepare=lambda case, target, data: {**data, "offer_type": _offer_type(data["offer_type"])},
    ),
    Operation(
        OFFER_UPDATE,
        "/offers/{offer_id}",
        OfferPatchIn,
        OfferOut,
        _offer,
        "Change an offer's status, result or end date",
        "offer_update",
        status=200,
        method="PATCH",
        prepare=lambda case, offer, data: _kept(offer, data, "status", "result"),
    ),
    Operation(
        MENTOR_ASSIGN,
        "/mentor",
        MentorAssignIn,
        MentorAssignmentOut,
        _same,
        "Assign a mentor (the previous mentor's period ends)",
        "mentor_assign",
        prepare=lambda case, target, data: {**data, "mentor": _mentor(case, data["mentor"])},
    ),
    Operation(
        MEETING_LOG,
        "/meetings",
        MeetingIn,
        MeetingOut,
        _meeting,
        "Log a meeting (the case's mentor)",
        "meeting_log",
        description="The case's mentor logs a meeting; needs_attention raises a task for the "
        "coordinator.\nAnyone else is answered 403; a case whose course takes no meeting log "
        "now (not admitted, or closed beyond the mentor's grace period) 409.",
    ),
    Operation(
        MEETING_RESOLVE,
        "/meetings/{meeting_id}/resolution",
        ResolutionIn,
        MeetingOut,
        _meeting,
        "Mark a flagged meeting as looked at by the unit",
        "meeting_resolve",
        status=200,
    ),
    Operation(
        COURSE_CLOSE,
        "/closure",
        ClosureIn,
        ClosureResultOut,
        _closure,
        "Close the exit course with a reason and a closing summary",
        "case_close",
    ),
    Operation(
        COURSE_REOPEN,
        "/reopen",
        ReopenIn,
        ReopenOut,
        _reopened,
        "Reopen an ended case as a new attempt",
        "case_reopen",
    ),
)
