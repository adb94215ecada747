"""Follow-up pages: the motivation chart (SVG). Recording a review and resolving an early
warning are declared case actions (``vejud.followup.actions``)."""

from __future__ import annotations

from csp.decorators import csp_update
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from vejud.access.cases import CaseAccess, log_case_access
from vejud.access.gate import AuthenticatedRequest, case_view
from vejud.access.rules import Part
from vejud.followup.charts import motivation_chart_svg
from vejud.followup.models import Review
from vejud.followup.services import baseline_motivation


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
