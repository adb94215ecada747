"""What the bulk generator and its grant steps share about one case while it runs."""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Any

from vejud.cases.models import CaseStatus


@dataclass(slots=True)
class Slot:
    """A case to be opened: when, where, and where its path leads."""

    day: int
    custody: bool
    unit: int  # index into the generator's units
    institution_id: int | None
    outcome: int
    ground: str
    source: Slot | None = None  # an earlier withdrawn/dropped case of the same person
    steps: list[tuple[int, int, tuple[Any, ...]]] | None = None  # pre-planned (coverage)
    # Filled in when the case opens, for a later attempt by the same person.
    person_id: int = 0
    case_id: int = 0
    reference: str = ""
    person: dict[str, Any] | None = None


@dataclass
class UnitInfo:
    id: int
    code: str
    custody: bool
    worker: int
    decider: int
    mentor: int | None
    municipalities: list[int]
    programme: str


class CaseState:
    """What the steps of one case share while it runs."""

    __slots__ = (
        "action_due", "actions_done", "agreement_start", "args", "assignment_id", "case_id",
        "closed_on", "custody", "decider", "facts", "ground", "instruments", "kinds",
        "last_review", "level", "mentor", "motivation_signed", "offers_done", "outcome_due",
        "person_id", "reference", "referral", "refusal_id", "release_on", "review_from", "signed",
        "slot", "status", "status_changed", "step", "times", "unit", "updated", "version",
        "worker",
    )  # fmt: skip

    def __init__(self, slot: Slot, unit: UnitInfo) -> None:
        self.slot = slot
        self.unit = unit
        self.custody = slot.custody
        self.ground = slot.ground
        self.worker = unit.worker
        self.decider = unit.decider
        self.mentor = unit.mentor
        self.person_id = 0
        self.case_id = 0
        self.reference = ""
        self.instruments: dict[int, int] = {}
        self.signed: dict[int, int] = {}  # instrument step kind -> time signed
        self.refusal_id = 0
        self.referral: list[Any] | None = None
        self.assignment_id = 0
        self.actions_done: dict[tuple[int, int], int] = {}
        self.offers_done: dict[int, int] = {}
        self.last_review: tuple[int, int] | None = None
        self.level = 4
        self.motivation_signed = False
        self.agreement_start: int | None = None
        self.review_from: int | None = None  # Case.review_from and .action_due_on (days)
        self.action_due: int | None = None
        self.outcome_due: str | None = None  # Case.outcome_due_on (ISO date)
        self.release_on: int | None = None
        self.status: str = CaseStatus.INQUIRY
        self.status_changed = 0
        self.updated = 0
        self.closed_on: int | None = None
        self.version = 1
        self.facts: dict[Any, Any] = {}
        # The case's steps, in time order (``Generator._schedule``): when each runs (µs),
        # its kind and its arguments; ``step`` is the one queued or running now.
        self.times: array[int] = NO_TIMES
        self.kinds = b""
        self.args: tuple[Any, ...] = ()
        self.step = 0

    def done(self) -> None:
        """Let the steps go once the last has run."""
        self.times, self.kinds, self.args = NO_TIMES, b"", ()


NO_TIMES: array[int] = array("q")
