"""``{% course_panel access %}``: the exit-course panel on the case page."""

from __future__ import annotations

from typing import Any

from django import template

from vejud.access.rules import Part
from vejud.cases.states import TERMINAL
from vejud.courses.selectors import COURSE_STATUSES, course_actions, course_overview

register = template.Library()


@register.inclusion_tag("courses/_course_panel.html", takes_context=True)
def course_panel(context: Any, access: Any) -> dict[str, Any]:
    """Render the course for casework users, a link to the mentor view for the case's mentor,
    and the way to a new attempt on an ended case."""
    request = context["request"]
    case = access.case
    result: dict[str, Any] = {
        "case": case,
        "course": None,
        "mentor_link": False,
        "reopen": False,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
    if Part.JOURNAL not in access.parts:
        result["mentor_link"] = access.as_mentor and Part.MENTOR_VIEW in access.parts
    elif case.status in COURSE_STATUSES:
        result["course"] = course_overview(access, request.user)
    elif case.status in TERMINAL:
        result["reopen"] = course_actions(case, request.user)["reopen"]
    return result
