"""The task list page."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from vejud.access.gate import AuthenticatedRequest, requires
from vejud.access.rules import Capability
from vejud.worklist.selectors import TASKS_SHOWN, tasks_for


@requires(Capability.VIEW_CASES)
@require_http_methods(["GET"])
def tasks(request: AuthenticatedRequest) -> HttpResponse:
    """Show the user's tasks: assessments due, decisions ready, referrals, overdue items."""
    items = tasks_for(request.user)
    shown = items[:TASKS_SHOWN]
    return render(
        request,
        "worklist/tasks.html",
        {
            "tasks": shown,
            "overdue": sum(1 for t in shown if t.overdue),
            "more": len(items) > TASKS_SHOWN,
        },
    )
