"""The retention panel on the case page: when the person's records are anonymised, by which
rule, and the holds (registered with vejud.actions.panels). Caseworkers only."""

from __future__ import annotations

from typing import Any

from vejud.access.rules import Part
from vejud.actions.panels import Panel, register_panel
from vejud.privacy.retention import retention_of


def retention_panel(context: Any, access: Any) -> dict[str, Any]:
    """The person's retention (date, rule, holds); nothing for a mentor."""
    if Part.JOURNAL not in access.parts:
        return {"retention": None}
    return {
        "retention": retention_of(access.case.person, holds=False),
        "person": access.case.person,
    }


register_panel(Panel("retention", 90, "privacy/_retention_panel.html", retention_panel))
