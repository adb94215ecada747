"""Exit-course pages besides the declared course actions (courses/actions.py): the exit
agreement as PDF and the mentor view (the mentor-view part; staff open it read-only; its
POST is the declared meeting log).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from vejud.access.cases import CaseAccess, log_case_access
from vejud.access.gate import AuthenticatedRequest, case_view
from vejud.access.rules import Part
from vejud.actions.pages import action_page
from vejud.core.documents import pdf_download
from vejud.core.htmx import is_htmx
from vejud.courses.actions import MEETING_LOG, case_url, meeting_form_kwargs, mentor_context
from vejud.courses.documents import agreement_filename, agreement_pdf
from vejud.courses.forms import MeetingLogForm
from vejud.courses.models import ExitAgreement


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
        return HttpResponseClientRedirect(url) if is_htmx(request) else redirect(url)
    log_case_access(user=request.user, request=request, access=access, part="exit_agreement")
    return pdf_download(agreement_pdf(agreement), agreement_filename(agreement))


# The mentor view ----------------------------------------------------------------------------


@case_view(part=Part.MENTOR_VIEW)
@never_cache
@require_http_methods(["GET", "POST"])
def mentor_view(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """The mentor's page: the person's name, the plan, the offers and the own meeting log.

    Staff with casework access may open it read-only and see every mentor's meetings. A POST
    logs a meeting (the declared action ``meeting_log``: the case's mentor only).
    """
    if request.method == "POST":
        return action_page(request, access, MEETING_LOG)
    log_case_access(user=request.user, request=request, access=access, part=Part.MENTOR_VIEW.value)
    can_log = MEETING_LOG.possible(request.user, access.case)
    form = MeetingLogForm(**meeting_form_kwargs(access.case, None))
    context = {**mentor_context(access, request.user, can_log=can_log), "form": form}
    template = "courses/_meetings.html" if is_htmx(request) else "courses/mentor_view.html"
    return render(request, template, context)
