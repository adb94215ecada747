"""The advice request's state machine: one table of transitions."""

from __future__ import annotations

from django.utils.translation import gettext as _

from vejud.advice.models import AdviceStatus as S
from vejud.core.errors import ConflictError

OPEN = frozenset({S.NEW, S.ASSIGNED, S.WAITING, S.ANSWERED})

# event -> (statuses it may happen in, status after it; None keeps the status)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "assign": (frozenset({S.NEW, S.ASSIGNED, S.WAITING, S.ANSWERED}), None),
    "ask_unit": (frozenset({S.NEW, S.ASSIGNED, S.WAITING, S.ANSWERED}), S.WAITING),
    "unit_writes": (frozenset({S.NEW, S.ASSIGNED, S.WAITING, S.ANSWERED}), None),
    "answer": (frozenset({S.NEW, S.ASSIGNED, S.WAITING, S.ANSWERED}), S.ANSWERED),
    "note": (OPEN, None),
    "change_access": (OPEN, None),
    "close": (OPEN, S.CLOSED),
}


def possible(event: str, status: str) -> bool:
    """Return True if ``event`` may happen to a request in ``status``."""
    return status in TRANSITIONS[event][0]


def next_status(event: str, status: str) -> str:
    """Return the status after ``event``, or raise ConflictError if it may not happen now."""
    allowed, after = TRANSITIONS[event]
    if status not in allowed:
        raise ConflictError(
            _("This is not possible while the request is %(status)s.") % {"status": S(status).label}
        )
    return after or status
