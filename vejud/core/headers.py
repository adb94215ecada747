"""Headers on every response the application itself produces (not whitenoise's static files).

- ``Cache-Control: no-store, private``: pages and API answers hold personal data, so neither a
  proxy nor the browser may keep a copy (a view that already forbids storing keeps its header).
- ``Permissions-Policy``: the browser features no page uses are switched off.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control


class PrivateResponseMiddleware:
    """Forbid storing any response and switch off unused browser features."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", ""):
            if response.has_header("Cache-Control"):
                del response["Cache-Control"]
            patch_cache_control(response, no_store=True, private=True)
        response.setdefault("Permissions-Policy", settings.VEJUD_PERMISSIONS_POLICY)
        return response
