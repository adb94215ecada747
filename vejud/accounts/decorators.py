"""Re-authentication before sensitive actions."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from vejud.core.htmx import is_htmx

REAUTH_AT_KEY = "vejud_reauth_at"


def recently_reauthenticated(request: HttpRequest) -> bool:
    """Return True if the user re-entered password and code within the reauth window."""
    at = request.session.get(REAUTH_AT_KEY)
    return at is not None and time.time() - float(at) <= settings.VEJUD_REAUTH_SECONDS


def mark_reauthenticated(request: HttpRequest) -> None:
    """Record that the user just re-authenticated."""
    request.session[REAUTH_AT_KEY] = time.time()


def reauth_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send the user to re-authenticate (password + TOTP) unless they did so recently."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not recently_reauthenticated(request):
            target = (
                request.get_full_path()
                if request.method == "GET"
                else request.headers.get("Referer", request.get_full_path())
            )
            url = reverse("accounts:reauth") + "?" + urlencode({"next": target})
            if is_htmx(request):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = url
                return response
            return redirect(url)
        return view(request, *args, **kwargs)

    return wrapper
