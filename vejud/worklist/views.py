"""The task list page."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from vejud.access.cases import CaseAccess
from vejud.access.gate import AuthenticatedRequest, case_view, requires
from vejud.access.rules import Capability, Part
from vejud.worklist.rows import task_rows
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
            "tasks": task_rows(shown),
            "overdue": sum(1 for t in shown if t.overdue),
            "more": len(items) > TASKS_SHOWN,
        },
    )


@case_view(part=Part.SUMMARY)
@require_http_methods(["GET"])
def case_tasks(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """The user's own open tasks on one case: loaded into the case page by htmx (the page
    itself stays as cheap as without it), or a page of its own without JavaScript."""
    items = tasks_for(request.user, access.case)
    htmx = bool(request.headers.get("HX-Request"))
    template = "worklist/_case_tasks.html" if htmx else "worklist/case_tasks.html"
    return render(request, template, {"case": access.case, "tasks": items})
