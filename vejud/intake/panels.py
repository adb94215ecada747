"""The inquiry panel on the case page: how the case came in (registered with
vejud.actions.panels). Caseworkers only: a mentor sees nothing of it."""

from __future__ import annotations

from typing import Any

from vejud.access.rules import Part
from vejud.actions.panels import Panel, register_panel
from vejud.intake.models import Inquiry


def inquiry_panel(context: Any, access: Any) -> dict[str, Any]:
    """The case's inquiry (source, channel, received, municipality, custody, intake note)."""
    if Part.JOURNAL not in access.parts:
        return {"inquiry": None}
    inquiry = (
        Inquiry.objects.select_related("municipality", "registered_by")
        .filter(case_id=access.case.pk)
        .first()
    )
    return {"inquiry": inquiry}


register_panel(Panel("inquiry", 5, "intake/_inquiry_panel.html", inquiry_panel))
