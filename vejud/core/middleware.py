"""Deny by default (every page needs login except those that opt out; the API has its own auth),
refuse oversized or non-UTF-8 input before any view, and answer a page's conflict with 409."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from vejud.core.errors import ConflictError, conflict_shown
from vejud.core.refusals import input_refusal, is_api


class VejudLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, except under /api/ where bearer tokens are required."""

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class InputLimitsMiddleware:
    """Refuse a body over the limit (413) or text that is not UTF-8 (400) before any view.

    Runs its check in ``process_view``, after every middleware's request phase, so the
    refusal is in the user's language; it sits before the CSRF check, which reads the form.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        return input_refusal(request)


class ConflictMiddleware:
    """Pages answer a ConflictError with 409 (the API maps its own): a page that shows it in
    its form keeps its content with status 409, one that lets it through gets the 409 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = conflict_shown.set(False)
        try:
            response = self.get_response(request)
        finally:
            shown = conflict_shown.get()
            conflict_shown.reset(token)
        if shown and response.status_code == 200 and not is_api(request):
            response.status_code = 409
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ConflictError) and not is_api(request):
            return render(request, "409.html", {"message": exception.text}, status=409)
        return None
