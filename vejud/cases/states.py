"""The case state machine: one explicit table of allowed transitions."""

from __future__ import annotations

from django.utils.translation import gettext as _

from vejud.cases.models import CaseStatus

S = CaseStatus

TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.INQUIRY: frozenset({S.ASSESSMENT, S.WITHDRAWN}),
    S.ASSESSMENT: frozenset({S.ADMITTED, S.REFUSED, S.WITHDRAWN, S.DROPPED}),
    S.REFUSED: frozenset({S.REFERRED, S.CLOSED}),
    S.REFERRED: frozenset({S.ADMITTED, S.REFUSAL_UPHELD}),
    S.ADMITTED: frozenset({S.CLOSED}),
    S.REFUSAL_UPHELD: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.DROPPED: frozenset(),
    S.CLOSED: frozenset(),
}


class IllegalTransitionError(Exception):
    """A transition that the state machine does not allow."""

    def __init__(self, current: str, target: str) -> None:
        super().__init__(
            _("A case in status “%(current)s” cannot move to “%(target)s”.")
            % {"current": CaseStatus(current).label, "target": CaseStatus(target).label}
        )
        self.current = current
        self.target = target


def check_transition(current: str, target: str) -> None:
    """Raise IllegalTransitionError unless ``current`` → ``target`` is in the table."""
    if CaseStatus(target) not in TRANSITIONS[CaseStatus(current)]:
        raise IllegalTransitionError(current, target)
