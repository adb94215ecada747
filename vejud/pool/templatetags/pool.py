"""``{{ ore|kroner }}`` for money, and ``{% grants_panel access %}`` for the case page."""

from __future__ import annotations

from typing import Any

from django import template

from vejud.access.casework import may_apply_for_grants
from vejud.access.rules import Part
from vejud.cases.states import reachable_from
from vejud.pool.money import format_kroner
from vejud.pool.selectors import applications_for_case
from vejud.pool.services import APPLICABLE_STATUSES

register = template.Library()

PANEL_SHOWN = 5
# What the panel's table shows of an application (pool/_applications_table.html).
PANEL_COLUMNS = (
    "category",
    "amount_ore",
    "over_cap",
    "approved_ore",
    "paid_ore",
    "status",
    "submitted_at",
)
# An application is made while a case is assessed or admitted: no earlier case holds one.
APPLIED_STATUSES = reachable_from(*APPLICABLE_STATUSES)


@register.filter
def kroner(ore: Any) -> str:
    """Return integer øre as Danish kroner ("12.345,50 kr."); "–" for no amount."""
    if ore is None or ore == "":
        return "–"
    return format_kroner(int(ore))


@register.inclusion_tag("pool/_grants_panel.html", takes_context=True)
def grants_panel(context: Any, access: Any) -> dict[str, Any]:
    """Render the latest grant applications on the case for those who may see its grants."""
    if Part.GRANTS not in access.parts:
        return {"panel": False}
    request = context["request"]
    case = access.case
    rows = (
        list(
            applications_for_case(access)
            .select_related(None)
            .only(*PANEL_COLUMNS)[: PANEL_SHOWN + 1]
        )
        if case.status in APPLIED_STATUSES
        else []
    )
    may_apply = may_apply_for_grants(request.user, access)
    return {
        "panel": True,
        "case": case,
        "applications": rows[:PANEL_SHOWN],
        "more": len(rows) > PANEL_SHOWN,
        "can_apply": may_apply and case.status in APPLICABLE_STATUSES,
    }
