"""The national overview page: anonymised counts, never a person."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from vejud.access.dashboard import dashboard_reach
from vejud.access.gate import AuthenticatedRequest, requires
from vejud.access.ownexits import own_exits_visible
from vejud.access.rules import Capability, has_capability
from vejud.core.attempt import submitted
from vejud.statistics.dashboard import default_period
from vejud.statistics.dashboard_page import dashboard_body
from vejud.statistics.forms import DashboardForm, OwnExitForm
from vejud.statistics.kept import kept_body
from vejud.statistics.ownexits import own_exit_counts, own_exit_record, own_exits_released
from vejud.statistics.published import overview_figures, published_overview

OWN_EXITS_SHOWN = 50


@requires(Capability.VIEW_STATISTICS)
@never_cache
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Show cases by status, track and unit, events by month and open early warnings."""
    today = timezone.localdate()
    figures, own_counts = overview_figures(today), own_exit_counts(today)

    def make() -> str:
        overview = published_overview(today, figures)
        own = own_exits_released(today, own_counts)
        context = {"overview": overview, "own_exits": own, "hidden": overview.hidden + own.hidden}
        return render_to_string("statistics/_overview.html", context)

    body = kept_body("overview", [today, figures.counts(), sorted(own_counts.items())], make)
    return render(request, "statistics/overview.html", {"body": body})


@requires(Capability.RECORD_OWN_EXITS)
@never_cache
@require_http_methods(["GET", "POST"])
def own_exits(request: AuthenticatedRequest) -> HttpResponse:
    """Record an exit on one's own (no person data) and list the unit's records."""
    form = OwnExitForm(request.POST or None, user=request.user)
    done = submitted(
        request,
        form,
        lambda: own_exit_record(actor=request.user, **form.cleaned_data),
        _("The exit is recorded. It counts in the statistics."),
        lambda record: reverse("statistics:own_exits"),
        {"year": ("year",)},
    )
    if done is not None:
        return done
    rows = own_exits_visible(request.user).select_related("police_district", "unit")
    context = {"form": form, "records": rows[:OWN_EXITS_SHOWN], "shown": OWN_EXITS_SHOWN}
    return render(request, "statistics/own_exits.html", context)


@requires(Capability.VIEW_DASHBOARD)
@never_cache
@require_GET
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    """The harmonisation dashboard for a period, unit or district and track (counts only)."""
    reach = dashboard_reach(request.user)
    assert reach is not None  # the capability is required
    data = request.GET if request.GET else {"period": default_period().value}
    form = DashboardForm(data, reach=reach)
    if not form.is_valid():
        return render(request, "statistics/dashboard.html", {"form": form}, status=400)
    training = has_capability(request.user, Capability.VIEW_TRAINING_COVERAGE)
    body = dashboard_body(
        form.chosen_period(),
        form.scope(),
        compare_units=reach.all_units,
        training_url=reverse("training:coverage") if training else None,
    )
    context: dict[str, Any] = {"form": form, "body": body}
    return render(request, "statistics/dashboard.html", context)
