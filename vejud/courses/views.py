"""Exit-course pages: agreement, plan, offers, mentor, closure and reopening, and the mentor view.

Casework routes need the journal part (a mentor gets 404 there); the mentor view needs the
mentor-view part. Each view is thin: gate → form → one service call → redirect or an htmx
partial. An action is offered, and accepted, only when ``course_actions`` allows it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from vejud.access.assignment import mentor_candidates, owner_candidates
from vejud.access.cases import CaseAccess, log_case_access, mentor_meetings_open
from vejud.access.casework import may_act
from vejud.access.gate import AuthenticatedRequest, case_view
from vejud.access.rules import Part
from vejud.cases.models import Case
from vejud.cases.services import StaleCaseError, mentor_assign
from vejud.cases.states import Actor, IllegalTransitionError
from vejud.core.errors import ConflictError
from vejud.core.forms import service_error
from vejud.courses import services
from vejud.courses.documents import agreement_filename, agreement_pdf
from vejud.courses.forms import (
    ActionForm,
    ActionUpdateForm,
    AgreementForm,
    CloseForm,
    GoalForm,
    MeetingLogForm,
    MentorAssignForm,
    OfferForm,
    OfferUpdateForm,
    ReopenForm,
    ResolveForm,
)
from vejud.courses.models import CaseOffer, ExitAgreement, MentorMeeting, PlanAction, PlanGoal
from vejud.courses.selectors import (
    course_actions,
    course_overview,
    course_plan,
    mentor_meetings,
)

# Service error codes that belong to a differently named form field.
FIELD_ALIASES = {"duration": ("expected_months", "duration_minutes"), "period": ("ends_on",)}
SECTIONS = {
    "agreement": "courses/_agreement.html",
    "plan": "courses/_plan.html",
    "offers": "courses/_offers.html",
    "mentor": "courses/_mentor.html",
}


def _is_htmx(request: AuthenticatedRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _case_url(case: Case, section: str = "") -> str:
    url = case.get_absolute_url()
    return f"{url}#course-{section}" if section else url


def _back(
    request: AuthenticatedRequest, case: Case, message: str, section: str = ""
) -> HttpResponse:
    """Return to the case page with an error message (a full reload for htmx)."""
    messages.error(request, message)
    url = _case_url(case, section)
    return HttpResponseClientRedirect(url) if _is_htmx(request) else redirect(url)


def _section(
    request: AuthenticatedRequest, access: CaseAccess, section: str, message: str
) -> HttpResponse:
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


@dataclass
class Step:
    """One course action: its form, whether it is allowed, and what it runs."""

    form: forms.Form
    action: str  # key in ``course_actions``
    title: str
    submit: str
    section: str
    run: Callable[[dict[str, Any]], Any]
    success: str
    done: Callable[[Any], str] | None = None  # where to go after success, if not the case page
    intro: str = ""


def _form_step(request: AuthenticatedRequest, access: CaseAccess, step: Step) -> HttpResponse:
    """Show the step's form; on a valid POST run the service and go back to the case."""
    case = access.case
    allowed = course_actions(case, request.user)
    if not allowed.get(step.action):
        if not may_act(request.user, case, Actor.CASEWORKER):
            raise PermissionDenied(_("You may not change the exit course."))
        return _back(request, case, _("This is not possible on the case right now."), step.section)
    if request.method == "GET":
        log_case_access(
            user=request.user, request=request, access=access, part=f"course_{step.section}"
        )
    status = 200
    if request.method == "POST" and step.form.is_valid():
        try:
            result = step.run(step.form.cleaned_data)
        except (StaleCaseError, IllegalTransitionError) as exc:
            return _back(request, case, str(exc))
        except ValidationError as exc:
            service_error(step.form, exc, FIELD_ALIASES)
            status = 409 if isinstance(exc, ConflictError) else 200
        else:
            if step.done is not None:
                messages.success(request, step.success)
                return redirect(step.done(result))
            if _is_htmx(request) and step.section in SECTIONS:
                return _section(request, access, step.section, step.success)
            messages.success(request, step.success)
            return redirect(_case_url(case, step.section))
    context = {
        "case": case,
        "form": step.form,
        "title": step.title,
        "submit": step.submit,
        "intro": step.intro,
        "action_url": request.path,
        "cancel_url": _case_url(case, step.section),
        "htmx": _is_htmx(request),
    }
    if _is_htmx(request):
        return render(request, "courses/_form.html", context, status=status)
    return render(request, "courses/form_page.html", context, status=status)


def _data(request: AuthenticatedRequest) -> Any:
    return request.POST if request.method == "POST" else None


# The exit agreement ---------------------------------------------------------------------------


@case_view(part=Part.JOURNAL)
@never_cache
@require_http_methods(["GET", "POST"])
def agreement_edit(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """Draw up or change the exit agreement."""
    case = access.case
    agreement = ExitAgreement.objects.filter(case=case).first()
    initial: dict[str, Any] = {
        "parties": ["person", "police", "municipality"],
        "expected_months": 12,
    }
    if agreement is not None:
        initial = {
            "parties": agreement.parties,
            "starts_on": agreement.starts_on,
            "expected_months": agreement.expected_months,
            "signed_on": agreement.signed_on,
            "terms": agreement.terms,
        }
    form = AgreementForm(_data(request), initial=initial, prefix="agreement")
    title = _("Edit the exit agreement") if agreement else _("Draw up the exit agreement")
    return _form_step(
        request,
        access,
        Step(
            form=form,
            action="edit",
            title=title,
            submit=_("Save the agreement"),
            section="agreement",
            run=lambda d: services.agreement_save(
                actor=request.user,
                case=case,
                parties=d["parties"],
                starts_on=d["starts_on"],
                expected_months=d["expected_months"],
                signed_on=d["signed_on"],
                terms=d["terms"],
            ),
            success=_("The exit agreement is saved."),
        ),
    )


@case_view(part=Part.JOURNAL)
@never_cache
@require_GET
def agreement_document(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """Download the exit agreement as PDF (the download is logged)."""
    case = access.case
    agreement = (
        ExitAgreement.objects.select_related("case__person", "case__responsible_unit")
        .filter(case=case)
        .first()
    )
    if agreement is None:
        return _back(request, case, _("The case has no exit agreement yet."), "agreement")
    log_case_access(user=request.user, request=request, access=access, part="exit_agreement")
    response = HttpResponse(agreement_pdf(agreement), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{agreement_filename(agreement)}"'
    return response


# The exit plan ------------------------------------------------------------------------------


@case_view(part=Part.JOURNAL)
@never_cache
@require_http_methods(["GET", "POST"])
def goal_add(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """Add a goal for a life area to the exit plan."""
    case = access.case
    return _form_step(
        request,
        access,
        Step(
            form=GoalForm(_data(request), prefix="goal"),
            action="edit",
            title=_("Add a goal"),
            submit=_("Add the goal"),
            section="plan",
            run=lambda d: services.goal_add(
                actor=request.user, case=case, life_area=d["life_area"], goal=d["goal"]
            ),
            success=_("The goal is added to the plan."),
        ),
    )


@case_view(part=Part.JOURNAL)
@never_cache
@require_http_methods(["GET", "POST"])
def action_add(request: AuthenticatedRequest, access: CaseAccess, goal_id: int) -> HttpResponse:
    """Add an action to a goal."""
    case = access.case
    goal = get_object_or_404(PlanGoal.objects.select_related("case"), pk=goal_id, case=case)
    form = ActionForm(_data(request), owners=owner_candidates(case), prefix=f"goal-{goal.pk}")
    return _form_step(
        request,
        access,
        Step(
            form=form,
            action="edit",
            title=_("Add an action"),
            intro=goal.goal,
            submit=_("Add the action"),
            section="plan",
            run=lambda d: services.action_add(
                actor=request.user,
                goal=goal,
                description=d["description"],
                owner_agency=d["owner_agency"],
                owner=d["owner"],
                deadline=d["deadline"],
            ),
            success=_("The action is added to the plan."),
        ),
    )


@case_view(part=Part.JOURNAL)
@never_cache
@require_http_methods(["GET", "POST"])
def action_update(
    request: AuthenticatedRequest, access: CaseAccess, action_id: int
) -> HttpResponse:
    """Change an action's status, outcome or deadline."""
    case = access.case
    action = get_object_or_404(PlanAction.objects.select_related("case"), pk=action_id, case=case)
    form = ActionUpdateForm(
        _data(request),
        initial={"status": action.status, "outcome": action.outcome, "deadline": action.deadline},
        prefix=f"action-{action.pk}",
    )
    return _form_step(
        request,
        access,
        Step(
            form=form,
            action="edit",
            title=_("Update the action"),
            intro=action.description,
            submit=_("Save"),
            section="plan",
            run=lambda d: services.action_update(
                actor=request.user,
                action=action,
                status=d["status"],
                outcome=d["outcome"],
                deadline=d["deadline"],
            ),
            success=_("The action is updated."),
        ),
    )


# Offers -------------------------------------------------------------------------------------


@case_view(part=Part.JOURNAL)
@never_cache
@require_http_methods(["GET", "POST"])
def offer_add(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """Give an offer from the catalogue on the case."""
    case = access.case
    return _form_step(
        request,
        access,
        Step(
            form=OfferForm(_data(request), initial={"status": "planned"}, prefix="offer"),
            action="edit",
            title=_("Add an offer"),
            submit=_("Add the offer"),
            section="offers",
            run=lambda d: services.offer_add(
                actor=request.user,
                case=case,
                offer_type=d["offer_type"],
                provider=d["provider"],
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
                status=d["status"],
            ),
            success=_("The offer is added."),
        ),
    )


@case_view(part=Part.JOURNAL)
@never_cache
@require_http_methods(["GET", "POST"])
def offer_update(request: AuthenticatedRequest, access: CaseAccess, offer_id: int) -> HttpResponse:
    """Change an offer's status, result or end date."""
    case = access.case
    offer = get_object_or_404(
        CaseOffer.objects.select_related("case", "offer_type"), pk=offer_id, case=case
    )
    form = OfferUpdateForm(
        _data(request),
        initial={"status": offer.status, "result": offer.result, "ends_on": offer.ends_on},
        prefix=f"offer-{offer.pk}",
    )
    return _form_step(
        request,
        access,
        Step(
            form=form,
            action="edit",
            title=_("Update the offer"),
            intro=offer.offer_type.name,
            submit=_("Save"),
            section="offers",
            run=lambda d: services.offer_update(
                actor=request.user,
                offer=offer,
                status=d["status"],
                result=d["result"],
                ends_on=d["ends_on"],
            ),
            success=_("The offer is updated."),
        ),
    )


# Mentor -------------------------------------------------------------------------------------


@case_view(part=Part.JOURNAL)
@never_cache
@require_http_methods(["GET", "POST"])
def mentor_assign_view(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """Assign a mentor or change the mentor (the previous period ends)."""
    case = access.case
    form = MentorAssignForm(_data(request), mentors=mentor_candidates(case), prefix="mentor")
    return _form_step(
        request,
        access,
        Step(
            form=form,
            action="assign_mentor",
            title=_("Assign a mentor"),
            submit=_("Assign"),
            section="mentor",
            run=lambda d: mentor_assign(
                actor=request.user, case=case, mentor=d["mentor"], starts_on=d["starts_on"]
            ),
            success=_("The mentor is assigned."),
        ),
    )


@case_view(part=Part.JOURNAL)
@never_cache
@require_http_methods(["GET", "POST"])
def meeting_resolve(
    request: AuthenticatedRequest, access: CaseAccess, meeting_id: int
) -> HttpResponse:
    """Mark a meeting the mentor flagged as looked at by the unit."""
    case = access.case
    meeting = get_object_or_404(
        MentorMeeting.objects.select_related("case"), pk=meeting_id, case=case
    )
    return _form_step(
        request,
        access,
        Step(
            form=ResolveForm(_data(request), prefix=f"meeting-{meeting.pk}"),
            action="resolve",
            title=_("Mark as resolved"),
            intro=meeting.note,
            submit=_("Resolved"),
            section="mentor",
            run=lambda d: services.meeting_attention_resolve(
                actor=request.user, meeting=meeting, note=d["note"]
            ),
            success=_("The meeting is marked as resolved."),
        ),
    )


# Closure and reopening ----------------------------------------------------------------------


@case_view(part=Part.JOURNAL)
@never_cache
@require_http_methods(["GET", "POST"])
def course_close(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """Close the exit course with a reason and a closing summary."""
    case = access.case
    form = CloseForm(_data(request), initial={"version": case.version})
    return _form_step(
        request,
        access,
        Step(
            form=form,
            action="close",
            title=_("Close the exit course"),
            submit=_("Close the course"),
            section="closure",
            run=lambda d: services.case_close(
                actor=request.user,
                case=case,
                reason=d["reason"],
                summary=d["summary"],
                expected_version=d["version"],
            ),
            success=_("The exit course is closed."),
        ),
    )


@case_view(part=Part.JOURNAL)
@never_cache
@require_http_methods(["GET", "POST"])
def course_reopen(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """Reopen an ended case as a new attempt for the same person, linked to this one."""
    case = access.case
    return _form_step(
        request,
        access,
        Step(
            form=ReopenForm(_data(request)),
            action="reopen",
            title=_("Reopen as a new attempt"),
            intro=_("A new case is opened for the same person, linked to the earlier attempts."),
            submit=_("Open a new attempt"),
            section="closure",
            run=lambda d: services.case_reopen(actor=request.user, case=case, note=d["note"]),
            success=_("A new attempt is opened."),
            done=lambda new: new.get_absolute_url(),
        ),
    )


# The mentor view ----------------------------------------------------------------------------


@case_view(part=Part.MENTOR_VIEW)
@never_cache
@require_http_methods(["GET", "POST"])
def mentor_view(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """The mentor's page: the person's name, the plan, the offers and the own meeting log.

    Staff with casework access may open it read-only and see every mentor's meetings.
    """
    case = access.case
    user = request.user
    as_mentor = access.as_mentor
    assignment = services.active_assignment(case, user)
    can_log = assignment is not None and mentor_meetings_open(case)
    today = {"met_on": timezone.localdate()}
    form = MeetingLogForm(_data(request), initial=today, prefix="meeting")
    message = ""
    if request.method == "POST":
        if not can_log:
            raise PermissionDenied(_("Only the case's mentor logs meetings."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.meeting_log(
                    actor=user,
                    case=case,
                    met_on=data["met_on"],
                    form=data["form"],
                    duration_minutes=data["duration_minutes"],
                    note=data["note"],
                    needs_attention=data["needs_attention"],
                )
            except ValidationError as exc:
                service_error(form, exc, FIELD_ALIASES)
            else:
                message = _("The meeting is logged.")
                if not _is_htmx(request):
                    messages.success(request, message)
                    return redirect(reverse("courses:mentor_view", args=[case.reference]))
                form = MeetingLogForm(initial=today, prefix="meeting")
    else:
        log_case_access(
            user=request.user, request=request, access=access, part=Part.MENTOR_VIEW.value
        )
    context = {
        "case": case,
        "person_name": case.person.full_name,
        "plan": course_plan(case),
        "meetings": mentor_meetings(case, user, own_only=as_mentor),
        "own_only": as_mentor,
        "can_log": can_log,
        "form": form,
        "meeting_message": message,
    }
    template = "courses/mentor_view.html"
    if _is_htmx(request):
        template = "courses/_meetings.html"
    return render(request, template, context)
