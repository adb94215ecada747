"""The request clashes with what is registered: answered 409 by pages and API alike.

A service raises ``ConflictError`` when the request lost a race (two registrations of one
CPR number, two open cases for one person, one budget year twice) or acted on stale data (the
case or application changed since the user loaded it, the application is already decided).
It is a ``ValidationError``, so a page that shows service errors in its form still does; the
API answers it with 409 ``{"detail": ..., "code": ...}`` and a page that lets it through
with the translated 409 page (``vejud.core.middleware.ConflictMiddleware``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


class ConflictError(ValidationError):
    """The request clashes with the current state; the user should reload and look again."""

    def __init__(self, message: str, *, code: str = "conflict") -> None:
        super().__init__(message, code=code)

    @property
    def text(self) -> str:
        return " ".join(self.messages)
