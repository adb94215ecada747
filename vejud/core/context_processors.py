"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def csp_nonce(request: HttpRequest) -> dict[str, Any]:
    """Expose django-csp's nonce under the name django-htmx's script tag looks for."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
