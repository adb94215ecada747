"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def csp_nonce(request: HttpRequest) -> dict[str, Any]:
    """Expose django-csp's nonce under the name django-htmx's script tag looks for."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Return the navigation entries for the signed-in user's roles."""
    from vejud.core.navigation import nav_items_for

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": nav_items_for(request)}
