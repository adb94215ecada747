"""The grant application's state machine: one explicit table of allowed status changes, who
makes each, and what else is possible in each status (like ``vejud.cases.states`` for cases).

The services check every status change against the table (``check_transition``) and the
pages and the API derive what they offer from it, so "is this possible now" has one answer.
The database holds the statuses to the known values and the decision fields to the decided
statuses (check constraints on ``pool.Application``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from vejud.access.rules import Capability
from vejud.core.errors import ConflictError
from vejud.pool.models import (
    DECIDED_STATUSES,
    GRANTED_STATUSES,
    Application,
    ApplicationStatus,
    DecisionOutcome,
)

S = ApplicationStatus


@dataclass(frozen=True)
class Transition:
    source: ApplicationStatus
    target: ApplicationStatus
    capability: Capability  # applying unit (APPLY_GRANTS) or national decider (DECIDE_GRANTS)
    label: str | Promise


_APPLY = Capability.APPLY_GRANTS
_DECIDE = Capability.DECIDE_GRANTS

TABLE: tuple[Transition, ...] = (
    Transition(S.SUBMITTED, S.APPROVED, _DECIDE, gettext_lazy("Approve in full")),
    Transition(S.SUBMITTED, S.PARTLY_APPROVED, _DECIDE, gettext_lazy("Approve partly")),
    Transition(S.SUBMITTED, S.REFUSED, _DECIDE, gettext_lazy("Refuse")),
    Transition(S.SUBMITTED, S.INFO_REQUESTED, _DECIDE, gettext_lazy("Ask for more information")),
    Transition(S.SUBMITTED, S.WITHDRAWN, _APPLY, gettext_lazy("Withdraw")),
    Transition(S.INFO_REQUESTED, S.SUBMITTED, _APPLY, gettext_lazy("Information given")),
    Transition(S.INFO_REQUESTED, S.APPROVED, _DECIDE, gettext_lazy("Approve in full")),
    Transition(S.INFO_REQUESTED, S.PARTLY_APPROVED, _DECIDE, gettext_lazy("Approve partly")),
    Transition(S.INFO_REQUESTED, S.REFUSED, _DECIDE, gettext_lazy("Refuse")),
    # The decision-maker may ask again before the unit has answered.
    Transition(
        S.INFO_REQUESTED, S.INFO_REQUESTED, _DECIDE, gettext_lazy("Ask for more information")
    ),
    Transition(S.INFO_REQUESTED, S.WITHDRAWN, _APPLY, gettext_lazy("Withdraw")),
)

TRANSITIONS: dict[tuple[ApplicationStatus, ApplicationStatus], Transition] = {
    (t.source, t.target): t for t in TABLE
}
TERMINAL: frozenset[ApplicationStatus] = frozenset(
    s for s in ApplicationStatus if not any(t.source == s for t in TABLE)
)
DECISIONS: frozenset[ApplicationStatus] = frozenset(DECIDED_STATUSES)  # decided_by/_at set
# The status each decision outcome leads to.
OUTCOME_TARGETS: dict[DecisionOutcome, ApplicationStatus] = {
    DecisionOutcome.APPROVE: S.APPROVED,
    DecisionOutcome.APPROVE_PARTLY: S.PARTLY_APPROVED,
    DecisionOutcome.REFUSE: S.REFUSED,
    DecisionOutcome.ASK: S.INFO_REQUESTED,
}
NO_DOCUMENTS: frozenset[ApplicationStatus] = frozenset({S.REFUSED, S.WITHDRAWN})

# Why a status change is refused, by its target (translated where it is raised).
_REFUSALS: dict[ApplicationStatus, str | Promise] = {
    S.WITHDRAWN: gettext_lazy("Only an undecided application can be withdrawn."),
    S.SUBMITTED: gettext_lazy("No information has been requested."),
}
_DECIDED = gettext_lazy("The application has already been decided.")


class IllegalApplicationTransition(ConflictError):
    """A status change the table does not allow (the API answers 409; pages show the message)."""

    def __init__(self, current: str, target: str) -> None:
        message = _REFUSALS.get(ApplicationStatus(target), _DECIDED)
        super().__init__(str(message), code="status")
        self.current = current
        self.target = target


def check_transition(current: str, target: str) -> Transition:
    """Return the table's transition ``current`` → ``target`` or raise the illegal-transition
    error."""
    try:
        return TRANSITIONS[(ApplicationStatus(current), ApplicationStatus(target))]
    except (KeyError, ValueError) as exc:
        raise IllegalApplicationTransition(current, target) from exc


def transitions_from(current: str, capability: Capability | None = None) -> list[Transition]:
    """Return the transitions the table allows from ``current`` (for ``capability`` only)."""
    return [
        t
        for t in TABLE
        if t.source == current and (capability is None or t.capability == capability)
    ]


# --- What each action needs of the application (the pages and the API ask these) -------------


def may_decide(application: Application) -> bool:
    return bool(transitions_from(application.status, _DECIDE))


def may_answer(application: Application) -> bool:
    return (application.status, S.SUBMITTED) in TRANSITIONS


def may_withdraw(application: Application) -> bool:
    return (application.status, S.WITHDRAWN) in TRANSITIONS


def may_pay(application: Application) -> bool:
    """Payments and releases: a granted application with money neither paid nor released."""
    return application.status in GRANTED_STATUSES and application.unpaid_ore > 0


def may_attach(application: Application) -> bool:
    return application.status not in NO_DOCUMENTS
