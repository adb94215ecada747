"""The documents panel on the case page (registered with vejud.actions.panels): the
documents the user may see, newest first, and adding one where that is possible."""

from __future__ import annotations

from typing import Any

from vejud.access.documents import documents_visible
from vejud.actions.declare import possible_now
from vejud.actions.panels import Panel, register_panel
from vejud.casedocs.actions import DOCUMENT_ADD, DOCUMENT_REMOVE

SHOWN = 20


def documents_panel(context: Any, access: Any) -> dict[str, Any]:
    """Nothing for a user who may see no document (an empty panel is not rendered)."""
    if not (access.casework or access.as_mentor):
        return {"documents": None}
    user = context["request"].user
    names = [DOCUMENT_ADD.name, DOCUMENT_REMOVE.name]
    possible = (
        possible_now(names, user, access.case) if access.casework else dict.fromkeys(names, False)
    )
    rows = list(
        documents_visible(access)
        .select_related("uploaded_by")
        .defer("content", "removal_reason")[: SHOWN + 1]
    )
    return {
        "documents": rows[:SHOWN],
        "more": len(rows) > SHOWN,
        "can_add": possible[DOCUMENT_ADD.name],
        "can_remove": possible[DOCUMENT_REMOVE.name],
        "as_mentor": access.as_mentor,
        "case": access.case,
    }


register_panel(Panel("documents", 60, "casedocs/_documents_panel.html", documents_panel))
