"""Run one service for a page and say how it went as a message (the pages that answer a
POST with a redirect rather than with the form again)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

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
