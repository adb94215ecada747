"""Run one service for a page and say how it went: as a message (``attempt``: the pages that
answer a POST with a redirect rather than with the form again), or as a redirect with the
success message and otherwise the form again with the service's errors on it (``submitted``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import Promise

from vejud.core.forms import service_error

T = TypeVar("T")


def attempt(request: HttpRequest, run: Callable[[], T], success: str | Callable[[T], str]) -> bool:
    """Run one service: its refusal (a ValidationError) becomes an error message, else the
    success message (``success`` itself, or made from the service's result). True if it ran."""
    try:
        result = run()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, success(result) if callable(success) else success)
    return True


def submitted(
    request: HttpRequest,
    form: forms.Form,
    run: Callable[[], T],
    success: str | Promise | Callable[[T], str],
    then: Callable[[T], str],
    aliases: Mapping[str, tuple[str, ...]] | None = None,
) -> HttpResponse | None:
    """Run the service of a valid POSTed ``form``: a redirect to ``then(result)`` with the
    success message (``success`` itself, or made from the result). None when the form was not
    posted or is not valid, or the service refused it: its errors are then on the form
    (``service_error`` with ``aliases``), for the page to show it again."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = run()
    except ValidationError as exc:
        service_error(form, exc, aliases)
        return None
    messages.success(request, str(success(result) if callable(success) else success))
    return redirect(then(result))
