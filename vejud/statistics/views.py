"""The national overview page: anonymised counts, never a person."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from vejud.access.gate import requires
from vejud.access.rules import Capability
from vejud.statistics.published import published_overview


@requires(Capability.VIEW_STATISTICS)
@never_cache
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Show cases by status, track and unit, events by month and open early warnings."""
    return render(request, "statistics/overview.html", {"overview": published_overview()})
