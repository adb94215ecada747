"""The exit-course actions on a case: agreement, plan, offers, mentor, the mentor's meeting
log, flagged meetings, closure and reopening.

The course runs while the case can still be closed by its own service (the state table's
ADMITTED → CLOSED, made by ``case_close``): then the agreement, plan, offers and mentor
can change. A case that has ended (nothing leads on from its status) can be reopened as
a new attempt. A form shown by htmx comes back as the refreshed section of the panel.
The case's mentor logs meetings on the mentor view while the course runs and, for the
final note, once it is closed (until the mentor's grace period ends).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_htmx.http import reswap, retarget

from vejud.access.assignment import mentor_candidates, owner_candidates
from vejud.access.cases import CaseAccess
from vejud.access.rules import Part
from vejud.accounts.models import User
from vejud.actions.declare import (
    CaseAction,
    Target,
    any_status,
    declare,
    ended,
    moving,
    of_the_case,
)
from vejud.cases.models import Case, CaseStatus
from vejud.cases.services import mentor_assign
from vejud.cases.states import DECISION_TARGETS, TERMINAL, Actor
from vejud.courses import services
from vejud.courses.forms import (
    ActionForm,
    ActionUpdateForm,
    AgreementForm,
    CloseForm,
    GoalForm,
    GoalRemoveForm,
    MeetingLogForm,
    MentorAssignForm,
    OfferForm,
    OfferUpdateForm,
    ReopenForm,
    ResolveForm,
)
from vejud.courses.models import CaseOffer, ExitAgreement, MentorMeeting, PlanAction, PlanGoal
from vejud.courses.selectors import course_overview, course_plan, mentor_meetings

# The course runs while its own closing transition (made by case_close) is possible.
RUNNING = moving(
    lambda t: (t.source, t.target) in DECISION_TARGETS and t.target == CaseStatus.CLOSED
)
# The mentor's meeting log: the statuses in which mentor_meetings_open lets the case's
# mentor log (the course, then the final note; Actor.MENTOR ends with the grace period).
MENTORING = frozenset((status, Actor.MENTOR) for status in (CaseStatus.ADMITTED, CaseStatus.CLOSED))
# Service error codes that belong to a differently named form field.
FIELD_ALIASES = {"duration": ("expected_months", "duration_minutes"), "period": ("ends_on",)}
SECTIONS = {
    "agreement": "courses/_agreement.html",
    "plan": "courses/_plan.html",
    "offers": "courses/_offers.html",
    "mentor": "courses/_mentor.html",
}


def case_url(case: Case, section: str = "") -> str:
    url = case.get_absolute_url()
    return f"{url}#course-{section}" if section else url


def section_response(request: Any, access: CaseAccess, section: str, message: str) -> HttpResponse:
    """Render one refreshed section of the course panel in place of the htmx form."""
    course = course_overview(access, request.user)
    context = {
        "course": course,
        "case": access.case,
        "plan": course.plan,
        "edit": course.actions["edit"],
        "section_message": message,
    }
    response = render(request, SECTIONS[section], context)
    return reswap(retarget(response, f"#course-{section}"), "outerHTML")


def _back_to(section: str, success: str | Promise) -> Callable[[Any, CaseAccess, Any], Any]:
    """After a success: the refreshed section for htmx, else the case page at the section."""

    def after(request: Any, access: CaseAccess, result: Any) -> HttpResponse:
        if request.headers.get("HX-Request") and section in SECTIONS:
            return section_response(request, access, section, str(success))
        messages.success(request, str(success))
        return redirect(case_url(access.case, section))

    return after


def _new_attempt(request: Any, access: CaseAccess, result: Case) -> HttpResponse:
    messages.success(request, str(_("A new attempt is opened.")))
    return redirect(result.get_absolute_url())


def _form(
    section: str, submit: str | Promise, intro: Callable[[Any], str] | None = None
) -> Callable[[CaseAccess, User, Any], Mapping[str, Any]]:
    """The form's context: its button, the text above it, where Cancel goes."""

    def context(access: CaseAccess, user: User, target: Any) -> Mapping[str, Any]:
        return {
            "submit": submit,
            "intro": intro(target) if intro else "",
            "cancel_url": case_url(access.case, section),
        }

    return context


def _agreement_context(access: CaseAccess, user: User, target: Any) -> Mapping[str, Any]:
    exists = ExitAgreement.objects.filter(case=access.case).exists()
    title = _("Edit the exit agreement") if exists else _("Draw up the exit agreement")
    return {**_form("agreement", _("Save the agreement"))(access, user, target), "title": title}


def _agreement_form(case: Case, target: Any) -> dict[str, Any]:
    agreement = ExitAgreement.objects.filter(case=case).first()
    initial: dict[str, Any] = {
        "parties": ["person", "police", "municipality"],
        "expected_months": 12,
    }
    if agreement is not None:
        fields = ("parties", "starts_on", "expected_months", "signed_on", "terms")
        initial = {name: getattr(agreement, name) for name in fields}
    return {"initial": initial, "prefix": "agreement"}


def _no_other_open_case(case: Case, target: Any) -> bool:
    """A new attempt only when the person has no open case."""
    others = Case.objects.filter(person_id=case.person_id).exclude(status__in=TERMINAL)
    return not others.exists()


def _course(
    *,
    section: str,
    button: str | Promise = "",
    intro: Callable[[Any], str] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """What every course action shares unless it says otherwise: its app, its form templates
    and errors, possible while the course runs, its form's context (``button``, the text above
    the form made by ``intro`` from the target, Cancel back to ``section``) and, after a
    success, back to ``section``."""
    return {
        "namespace": "courses",
        "template": "courses/form_page.html",
        "partial_template": "courses/_form.html",
        "error_fields": FIELD_ALIASES,
        "when": RUNNING,
        "context": _form(section, button, intro),
        "after": _back_to(section, fields["success"]),
        "log_as": f"course_{section}",
        **fields,
    }


AGREEMENT_SAVE = CaseAction(
    **_course(
        name="agreement_save",
        url_name="agreement_edit",
        slug="forloeb/aftale/",
        title=_("Draw up the exit agreement"),
        form=AgreementForm,
        form_kwargs=_agreement_form,
        service=services.agreement_save,
        success=_("The exit agreement is saved."),
        section="agreement",
        context=_agreement_context,
    )
)
GOAL_ADD = CaseAction(
    **_course(
        name="goal_add",
        url_name="goal_add",
        slug="forloeb/maal/",
        title=_("Add a goal"),
        form=GoalForm,
        form_kwargs=lambda case, target: {"prefix": "goal"},
        service=services.goal_add,
        success=_("The goal is added to the plan."),
        section="plan",
        button=_("Add the goal"),
    )
)
GOAL_UPDATE = CaseAction(
    **_course(
        name="goal_update",
        url_name="goal_update",
        slug="forloeb/maal/<int:goal_id>/ret/",
        title=_("Edit the goal"),
        form=GoalForm,
        form_kwargs=lambda case, goal: {
            "initial": {"life_area": goal.life_area, "goal": goal.goal},
            "prefix": f"goal-edit-{goal.pk}",
        },
        service=services.goal_update,
        target=Target("goal_id", of_the_case(PlanGoal), "plan_goal"),
        success=_("The goal is changed."),
        section="plan",
        button=_("Save the goal"),
        intro=lambda goal: goal.goal,
    )
)
# A goal goes only while none of its actions is open; its closed actions go with it (the
# audit entry keeps them), see services.goal_remove.
GOAL_REMOVE = CaseAction(
    **_course(
        name="goal_remove",
        url_name="goal_remove",
        slug="forloeb/maal/<int:goal_id>/fjern/",
        title=_("Remove the goal"),
        form=GoalRemoveForm,
        form_kwargs=lambda case, goal: {"prefix": f"goal-remove-{goal.pk}"},
        service=services.goal_remove,
        target=Target("goal_id", of_the_case(PlanGoal), "plan_goal"),
        condition=lambda case, goal: goal is None or services.goal_removable(goal),
        success=_("The goal is removed from the plan."),
        section="plan",
        button=_("Remove the goal"),
        intro=lambda goal: str(
            _("The goal “%(goal)s” is removed from the plan, with its done and dropped actions.")
            % {"goal": goal.goal}
        ),
    )
)
ACTION_ADD = CaseAction(
    **_course(
        name="action_add",
        url_name="action_add",
        slug="forloeb/maal/<int:goal_id>/handling/",
        title=_("Add an action"),
        form=ActionForm,
        form_kwargs=lambda case, goal: {
            "owners": owner_candidates(case),
            "prefix": f"goal-{goal.pk}",
        },
        service=services.action_add,
        target=Target("goal_id", of_the_case(PlanGoal), "goal"),
        success=_("The action is added to the plan."),
        section="plan",
        button=_("Add the action"),
        intro=lambda goal: goal.goal,
    )
)
ACTION_UPDATE = CaseAction(
    **_course(
        name="action_update",
        url_name="action_update",
        slug="forloeb/handlinger/<int:action_id>/",
        title=_("Update the action"),
        form=ActionUpdateForm,
        form_kwargs=lambda case, action: {
            "initial": {
                "status": action.status,
                "outcome": action.outcome,
                "deadline": action.deadline,
            },
            "prefix": f"action-{action.pk}",
        },
        service=services.action_update,
        target=Target("action_id", of_the_case(PlanAction), "action"),
        success=_("The action is updated."),
        section="plan",
        button=_("Save"),
        intro=lambda action: action.description,
    )
)
OFFER_ADD = CaseAction(
    **_course(
        name="offer_add",
        url_name="offer_add",
        slug="forloeb/tilbud/",
        title=_("Add an offer"),
        form=OfferForm,
        form_kwargs=lambda case, target: {"initial": {"status": "planned"}, "prefix": "offer"},
        service=services.offer_add,
        success=_("The offer is added."),
        section="offers",
        button=_("Add the offer"),
    )
)
OFFER_UPDATE = CaseAction(
    **_course(
        name="offer_update",
        url_name="offer_update",
        slug="forloeb/tilbud/<int:offer_id>/",
        title=_("Update the offer"),
        form=OfferUpdateForm,
        form_kwargs=lambda case, offer: {
            "initial": {"status": offer.status, "result": offer.result, "ends_on": offer.ends_on},
            "prefix": f"offer-{offer.pk}",
        },
        service=services.offer_update,
        target=Target("offer_id", of_the_case(CaseOffer, "offer_type"), "offer"),
        success=_("The offer is updated."),
        section="offers",
        button=_("Save"),
        intro=lambda offer: offer.offer_type.name,
    )
)
MENTOR_ASSIGN = CaseAction(
    **_course(
        name="mentor_assign",
        url_name="mentor_assign",
        slug="forloeb/mentor/",
        title=_("Assign a mentor"),
        form=MentorAssignForm,
        form_kwargs=lambda case, target: {"mentors": mentor_candidates(case), "prefix": "mentor"},
        service=mentor_assign,
        success=_("The mentor is assigned."),
        section="mentor",
        button=_("Assign"),
    )
)
MEETING_RESOLVE = CaseAction(
    **_course(
        name="meeting_resolve",
        url_name="meeting_resolve",
        slug="forloeb/moeder/<int:meeting_id>/loest/",
        title=_("Mark as resolved"),
        form=ResolveForm,
        form_kwargs=lambda case, meeting: {"prefix": f"meeting-{meeting.pk}"},
        service=services.meeting_attention_resolve,
        target=Target("meeting_id", of_the_case(MentorMeeting), "meeting"),
        when=any_status(Actor.CASEWORKER),
        success=_("The meeting is marked as resolved."),
        section="mentor",
        button=_("Mark as resolved"),
        intro=lambda meeting: meeting.note,
    )
)
MEETING_LOGGED = _("The meeting is logged.")


def mentor_context(
    access: CaseAccess, user: User, *, can_log: bool, message: str = ""
) -> dict[str, Any]:
    """The mentor view: the person's name, the plan and the meetings (a mentor's own only)."""
    case = access.case
    return {
        "case": case,
        "person_name": case.person.full_name,
        "plan": course_plan(case),
        "meetings": mentor_meetings(case, user, own_only=access.as_mentor),
        "own_only": access.as_mentor,
        "can_log": can_log,
        "meeting_message": message,
    }


def meeting_form_kwargs(case: Case, target: Any) -> dict[str, Any]:
    return {"initial": {"met_on": timezone.localdate()}, "prefix": "meeting"}


def _meeting_logged(request: Any, access: CaseAccess, result: Any) -> HttpResponse:
    """Back to the mentor view; by htmx the refreshed log with an empty form and the message."""
    if not request.headers.get("HX-Request"):
        messages.success(request, str(MEETING_LOGGED))
        return redirect(reverse("courses:mentor_view", args=[access.case.reference]))
    context = mentor_context(access, request.user, can_log=True, message=str(MEETING_LOGGED))
    form = MeetingLogForm(**meeting_form_kwargs(access.case, None))
    return render(request, "courses/_meetings.html", {**context, "form": form})


# Served by the mentor view's POST (courses.views.mentor_view shows the page).
MEETING_LOG = CaseAction(
    name="meeting_log",
    namespace="courses",
    url_name="mentor_view",
    slug="mentor/",
    title=_("Log a meeting"),
    form=MeetingLogForm,
    form_kwargs=meeting_form_kwargs,
    service=services.meeting_log,
    when=MENTORING,
    part=Part.MENTOR_VIEW,
    methods=("POST",),
    template="courses/mentor_view.html",
    partial_template="courses/_meetings.html",
    context=lambda access, user, target: mentor_context(access, user, can_log=True),
    error_fields=FIELD_ALIASES,
    success=MEETING_LOGGED,
    after=_meeting_logged,
)
COURSE_CLOSE = CaseAction(
    **_course(
        name="course_close",
        url_name="close",
        slug="forloeb/afslut/",
        title=_("Close the exit course"),
        form=CloseForm,
        service=services.case_close,
        success=_("The exit course is closed."),
        section="closure",
        button=_("Close the course"),
    )
)
COURSE_REOPEN = CaseAction(
    **_course(
        name="course_reopen",
        url_name="reopen",
        slug="forloeb/genaabn/",
        title=_("Reopen as a new attempt"),
        form=ReopenForm,
        form_kwargs=lambda case, target: {},
        service=services.case_reopen,
        when=ended(Actor.CASEWORKER),
        condition=_no_other_open_case,
        success=_("A new attempt is opened."),
        section="closure",
        button=_("Open a new attempt"),
        intro=lambda target: str(
            _("A new case is opened for the same person, linked to the earlier attempts.")
        ),
        after=_new_attempt,
    )
)

# The pages of the actions with their own URL (the meeting log is the mentor view's POST).
ACTIONS = declare(
    AGREEMENT_SAVE,
    GOAL_ADD,
    GOAL_UPDATE,
    GOAL_REMOVE,
    ACTION_ADD,
    ACTION_UPDATE,
    OFFER_ADD,
    OFFER_UPDATE,
    MENTOR_ASSIGN,
    MEETING_RESOLVE,
    COURSE_CLOSE,
    COURSE_REOPEN,
)
declare(MEETING_LOG)
