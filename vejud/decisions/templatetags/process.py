"""``{% process_panel access %}``: the exit-process panel on the case page."""

from __future__ import annotations

from typing import Any

from django import template

from vejud.access.rules import Part
from vejud.decisions.selectors import process_overview

register = template.Library()


@register.inclusion_tag("decisions/_process_panel.html", takes_context=True)
def process_panel(context: Any, access: Any) -> dict[str, Any]:
    """Render the process panel for users who may see casework (not mentors)."""
    request = context["request"]
    if Part.JOURNAL not in access.parts:
        return {"overview": None}
    return {
        "overview": process_overview(access, request.user),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
