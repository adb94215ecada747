"""A person's exclusion/restriction list answers with its own 403 page on every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import render

from vejud.access.cases import AccessRuleDenied


class AccessRuleDeniedMiddleware:
    """Show a person's exclusion/restriction message as a 403 page."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> Any:
        if isinstance(exception, AccessRuleDenied):
            return render(
                request, "403_access_rule.html", {"message": exception.message}, status=403
            )
        return None
