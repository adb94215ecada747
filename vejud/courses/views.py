"""Exit-course pages besides the declared course actions (courses/actions.py): the exit
agreement as PDF and the mentor view (the mentor-view part; staff open it read-only).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from vejud.access.cases import CaseAccess, log_case_access, mentor_meetings_open
from vejud.access.gate import AuthenticatedRequest, case_view
from vejud.access.rules import Part
from vejud.cases.models import Case
from vejud.core.documents import pdf_download
from vejud.core.forms import service_error
from vejud.courses import services
from vejud.courses.actions import FIELD_ALIASES, case_url
from vejud.courses.documents import agreement_filename, agreement_pdf
from vejud.courses.forms import (
    MeetingLogForm,
)
from vejud.courses.models import ExitAgreement
from vejud.courses.selectors import (
    course_plan,
    mentor_meetings,
)

# Service error codes that belong to a differently named form field.


def _is_htmx(request: AuthenticatedRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _data(request: AuthenticatedRequest) -> Any:
    return request.POST if request.method == "POST" else None


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
        messages.error(request, _("The case has no exit agreement yet."))
        url = case_url(case, "agreement")
        return HttpResponseClientRedirect(url) if _is_htmx(request) else redirect(url)
    log_case_access(user=request.user, request=request, access=access, part="exit_agreement")
    return pdf_download(agreement_pdf(agreement), agreement_filename(agreement))


# The mentor view ----------------------------------------------------------------------------


@case_view(part=Part.MENTOR_VIEW)
@never_cache
@require_http_methods(["GET", "POST"])
def mentor_view(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """The mentor's page: the person's name, the plan, the offers and the own meeting log.

    Staff with casework access may open it read-only and see every mentor's meetings.
    """
    case = access.case
    assignment = services.active_assignment(case, request.user)
    can_log = assignment is not None and mentor_meetings_open(case)
    form = MeetingLogForm(_data(request), initial=_today(), prefix="meeting")
    message = ""
    if request.method == "POST":
        if not can_log:
            raise PermissionDenied(_("Only the case's mentor logs meetings."))
        if form.is_valid() and _meeting_logged(request, case, form):
            message = _("The meeting is logged.")
            if not _is_htmx(request):
                messages.success(request, message)
                return redirect(reverse("courses:mentor_view", args=[case.reference]))
            form = MeetingLogForm(initial=_today(), prefix="meeting")
    else:
        log_case_access(
            user=request.user, request=request, access=access, part=Part.MENTOR_VIEW.value
        )
    context = _mentor_context(request, access, can_log=can_log, form=form, message=message)
    template = "courses/_meetings.html" if _is_htmx(request) else "courses/mentor_view.html"
    return render(request, template, context)


def _mentor_context(
    request: AuthenticatedRequest, access: CaseAccess, **page: Any
) -> dict[str, Any]:
    """The mentor view: the person's name, the plan and the meetings (a mentor's own only)."""
    case = access.case
    return {
        "case": case,
        "person_name": case.person.full_name,
        "plan": course_plan(case),
        "meetings": mentor_meetings(case, request.user, own_only=access.as_mentor),
        "own_only": access.as_mentor,
        "can_log": page["can_log"],
        "form": page["form"],
        "meeting_message": page["message"],
    }


def _today() -> dict[str, Any]:
    return {"met_on": timezone.localdate()}


def _meeting_logged(request: AuthenticatedRequest, case: Case, form: MeetingLogForm) -> bool:
    """Log the mentor's meeting through the service; False with the error on the form."""
    data = form.cleaned_data
    try:
        services.meeting_log(
            actor=request.user,
            case=case,
            met_on=data["met_on"],
            form=data["form"],
            duration_minutes=data["duration_minutes"],
            note=data["note"],
            needs_attention=data["needs_attention"],
        )
    except ValidationError as exc:
        service_error(form, exc, FIELD_ALIASES)
        return False
    return True
