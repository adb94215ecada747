"""The advice panel on the case page: the national contact point's answers on the case and a
link to ask (registered with vejud.actions.panels). Caseworkers and the national contact point;
never the mentor."""

from __future__ import annotations

from typing import Any

from vejud.access.advice import asks_advice, may_ask_about, may_see_advice_on_case
from vejud.actions.panels import Panel, register_panel
from vejud.advice.selectors import answers_on_case


def advice_panel(context: Any, access: Any) -> dict[str, Any]:
    """The answers filed on the case, and whether the user may ask about it."""
    if not may_see_advice_on_case(access):
        return {"advice_answers": None}
    user = context["request"].user
    return {
        "advice_answers": answers_on_case(access.case.pk),
        "may_ask": asks_advice(user) and may_ask_about(user, access.case),
        "case": access.case,
    }


register_panel(Panel("advice", 85, "advice/_case_panel.html", advice_panel))
