"""Follow-up pages: record a review, resolve an early warning, and the motivation chart (SVG)."""

from __future__ import annotations

from typing import Any

from csp.decorators import csp_update
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from vejud.access.cases import CaseAccess, log_case_access
from vejud.access.casework import may_act
from vejud.access.gate import AuthenticatedRequest, case_view
from vejud.access.rules import Part
from vejud.cases.models import Case, CaseStatus, Track
from vejud.cases.states import Actor
from vejud.followup.charts import motivation_chart_svg
from vejud.followup.forms import ReviewForm, RiskEventFormSet, risk_events
from vejud.followup.models import Review
from vejud.followup.services import baseline_motivation, review_record


def _section(access: CaseAccess) -> str:
    return f"{access.case.get_absolute_url()}#followup"


@case_view(part=Part.JOURNAL)
@never_cache
@require_http_methods(["GET", "POST"])
def review_new(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """Record a follow-up review; any early warnings it raises are shown after saving."""
    case = access.case
    if case.status != CaseStatus.ADMITTED or not may_act(request.user, case, Actor.CASEWORKER):
        messages.error(request, _("Reviews are recorded on an active exit course only."))
        return redirect(case)
    custody = case.track == Track.CUSTODY
    form = ReviewForm(request.POST or None, custody=custody)
    risks = RiskEventFormSet(request.POST or None, prefix="risk")
    if request.method == "GET":
        log_case_access(
            user=request.user, access=access, part="followup_review_form", request=request
        )
    elif form.is_valid() & risks.is_valid():  # both validated, so every error shows at once
        review = _record(request, case, form, risks)
        if review is not None:
            _tell_saved(request, review)
            return redirect(_section(access))
    context = {"case": case, "form": form, "risks": risks, "custody": custody}
    return render(request, "followup/review_form.html", context)


def _record(
    request: AuthenticatedRequest, case: Case, form: ReviewForm, risks: Any
) -> Review | None:
    """Record the review of valid forms; None with the service's errors on the form."""
    try:
        return review_record(
            actor=request.user, case=case, risk_events=risk_events(risks), **form.service_kwargs()
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return None


def _tell_saved(request: AuthenticatedRequest, review: Review) -> None:
    messages.success(request, _("The review is saved."))
    raised = [w.get_reason_display() for w in review.warnings.all()]
    if raised:
        messages.warning(
            request,
            _("Early warning raised: %(reasons)s. The coordinator gets a task.")
            % {"reasons": "; ".join(raised)},
        )


# django-csp types a view as taking the request only, hence the two ignores.
@case_view(part=Part.JOURNAL)  # type: ignore[arg-type]
@never_cache
@require_GET
@csp_update({"style-src": ["'unsafe-inline'"]})  # type: ignore[arg-type]  # pygal's inline <style>
def chart(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """Serve the motivation and progress chart as SVG (the view is logged)."""
    case = access.case
    log_case_access(
        user=request.user,
        access=access,
        part="followup_chart",
        request=request,
    )
    reviews = list(Review.objects.filter(case=case))
    svg = motivation_chart_svg(reviews, baseline=baseline_motivation(case, None))
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
