"""What every page's frame needs to know about the reader's access."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from vejud.access.cases import CaseAccess, active_grant


def break_glass(request: HttpRequest) -> dict[str, Any]:
    """On a page of a case the reader holds only by breaking the glass (``case_view`` keeps
    the access on the request), the grant in force, for the banner every such page shows.
    Nothing, and no query, on every other page."""
    access: CaseAccess | None = getattr(request, "case_access", None)
    if access is None or not access.break_glass:
        return {}
    return {"break_glass": True, "break_glass_grant": active_grant(request.user, access.case)}  # type: ignore[arg-type]
