"""The case state machine: one explicit table of allowed transitions and who may make them."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vejud.access.casework import Actor
from vejud.cases.models import CaseStatus

S = CaseStatus


@dataclass(frozen=True)
class Transition:
    source: CaseStatus
    target: CaseStatus
    actor: Actor
    label: str | Promise
    reason_required: bool = False


TABLE: tuple[Transition, ...] = (
    Transition(S.INQUIRY, S.ASSESSMENT, Actor.CASEWORKER, gettext_lazy("Start assessment")),
    Transition(
        S.INQUIRY,
        S.WITHDRAWN,
        Actor.CASEWORKER,
        gettext_lazy("Record that the person withdraws"),
        True,
    ),
    Transition(S.ASSESSMENT, S.ADMITTED, Actor.UNIT_DECIDER, gettext_lazy("Admit")),
    Transition(S.ASSESSMENT, S.REFUSED, Actor.UNIT_DECIDER, gettext_lazy("Refuse"), True),
    Transition(
        S.ASSESSMENT,
        S.WITHDRAWN,
        Actor.CASEWORKER,
        gettext_lazy("Record that the person withdraws"),
        True,
    ),
    Transition(
        S.ASSESSMENT,
        S.DROPPED,
        Actor.CASEWORKER,
        gettext_lazy("Record a drop-out during assessment"),
        True,
    ),
    Transition(S.REFUSED, S.REFERRED, Actor.CASEWORKER, gettext_lazy("Refer for final decision")),
    Transition(S.REFUSED, S.CLOSED, Actor.CASEWORKER, gettext_lazy("Close without referral"), True),
    Transition(
        S.REFERRED, S.ADMITTED, Actor.NATIONAL_DECIDER, gettext_lazy("Admit (final decision)"), True
    ),
    Transition(
        S.REFERRED, S.REFUSAL_UPHELD, Actor.NATIONAL_DECIDER, gettext_lazy("Uphold refusal"), True
    ),
    Transition(S.ADMITTED, S.CLOSED, Actor.CASEWORKER, gettext_lazy("Close the case"), True),
)

TRANSITIONS: dict[tuple[CaseStatus, CaseStatus], Transition] = {
    (t.source, t.target): t for t in TABLE
}
TERMINAL: frozenset[CaseStatus] = frozenset(
    s for s in CaseStatus if not any(t.source == s for t in TABLE)
)
# Transitions made only through their own service (which records the decision or closure).
DECISION_TARGETS: frozenset[tuple[CaseStatus, CaseStatus]] = frozenset(
    {
        (S.ASSESSMENT, S.ADMITTED),
        (S.ASSESSMENT, S.REFUSED),
        (S.REFUSED, S.REFERRED),
        (S.REFERRED, S.ADMITTED),
        (S.REFERRED, S.REFUSAL_UPHELD),
        (S.ADMITTED, S.CLOSED),  # courses.services.case_close records the reason and summary
    }
)


class IllegalTransitionError(Exception):
    """A transition that the state machine does not allow."""

    def __init__(self, current: str, target: str) -> None:
        super().__init__(
            _("A case in status “%(current)s” cannot move to “%(target)s”.")
            % {"current": CaseStatus(current).label, "target": CaseStatus(target).label}
        )
        self.current = current
        self.target = target


def check_transition(current: str, target: str) -> Transition:
    """Return the table's transition ``current`` → ``target`` or raise IllegalTransitionError."""
    try:
        return TRANSITIONS[(CaseStatus(current), CaseStatus(target))]
    except (KeyError, ValueError) as exc:
        raise IllegalTransitionError(current, target) from exc


def transitions_from(current: str) -> list[Transition]:
    """Return the transitions the table allows from ``current``."""
    return [t for t in TABLE if t.source == current]


def reachable_from(*statuses: str) -> frozenset[CaseStatus]:
    """Return ``statuses`` and every status a case in one of them can still come to.

    What exists only from a status on (a referral, a release plan, a grant application)
    cannot exist on a case outside this set, so a page need not look for it there.
    """
    reached = {CaseStatus(s) for s in statuses}
    while True:
        more = {t.target for t in TABLE if t.source in reached} - reached
        if not more:
            return frozenset(reached)
        reached |= more
