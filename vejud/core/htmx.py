"""Whether a request came from htmx (``django_htmx``'s middleware sets ``request.htmx``)."""

from __future__ import annotations

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """Return True for a request htmx made (its ``HX-Request`` header is "true")."""
    return bool(getattr(request, "htmx", False))
