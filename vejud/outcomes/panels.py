"""The outcomes panel on the case page (registered with vejud.actions.panels): the points
after the course, recorded or not, and the next due; the case's caseworkers only."""

from __future__ import annotations

from typing import Any

from vejud.actions.panels import Panel, register_panel
from vejud.cases.models import CaseStatus
from vejud.outcomes.actions import OUTCOME_RECORD
from vejud.outcomes.selectors import case_points


def outcomes_panel(context: Any, access: Any) -> dict[str, Any]:
    """Nothing for the mentor, nor for a case whose course was not followed up; a case whose
    course has not ended costs no query (only a closed course has points after it)."""
    if not access.casework or access.case.status != CaseStatus.CLOSED:
        return {"points": None}
    ended, points = case_points(access.case)
    if ended is None and not points:
        return {"points": None}
    user = context["request"].user
    return {
        "points": points,
        "ended_on": ended,
        "next_due_on": access.case.outcome_due_on,
        "can_record": any(p.due for p in points) and OUTCOME_RECORD.possible(user, access.case),
        "case": access.case,
    }


register_panel(Panel("outcomes", 35, "outcomes/_outcomes_panel.html", outcomes_panel))
