"""The request clashes with what is registered: answered 409 by pages and API alike.

A service raises ``ConflictError`` when the request lost a race (two registrations of one
CPR number, two open cases for one person, one budget year twice) or acted on stale data (the
case or application changed since the user loaded it, the application is already decided).
It is a ``ValidationError``, so a page that shows service errors in its form still does, and
answers 409 doing so (a form of ``vejud.core.forms`` notes it, ``ConflictMiddleware`` sets the
status); a page that lets it through gets the translated 409 page; the API answers it with 409
``{"detail": ..., "code": ...}``.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.core.exceptions import ValidationError

# Set when a form shows a ConflictError during this request (vejud.core.middleware reads it).
conflict_shown: ContextVar[bool] = ContextVar("vejud_conflict_shown", default=False)


class ConflictError(ValidationError):
    """The request clashes with the current state; the user should reload and look again."""

    def __init__(self, message: str, *, code: str = "conflict") -> None:
        super().__init__(message, code=code)

    @property
    def text(self) -> str:
        return " ".join(self.messages)


class MessageError(Exception):
    """A refusal whose ``message`` is written for the user (the page shows it as it is)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
