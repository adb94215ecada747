"""Builders for advice requests (vejud.advice), through the real services."""

from __future__ import annotations

from typing import Any

from vejud.advice.models import AdviceRequest
from vejud.advice.services import advice_request_create
from vejud.cases.models import Case
from vejud.cases.services import journal_add
from vejud.testing import World


def ask_about_case(world: World, case: Case, **overrides: Any) -> AdviceRequest:
    """Member A asks about ``case`` with the instruments and one picked journal note attached
    (another note stays unattached)."""
    picked = journal_add(
        actor=world.member_a, case=case, text="Attached note: meets his mentor weekly."
    )
    journal_add(actor=world.member_a, case=case, text="Unattached note: not for the advisers.")
    fields: dict[str, Any] = {
        "actor": world.member_a,
        "unit": world.unit_a,
        "topic": "motivation",
        "question": "Is his motivation sufficient for an exit course?",
        "case": case,
        "attach_instruments": True,
        "journal_entries": [picked],
    }
    return advice_request_create(**{**fields, **overrides})


def ask_general(world: World, **overrides: Any) -> AdviceRequest:
    """Member A asks a general question (no case) on behalf of unit A."""
    fields: dict[str, Any] = {
        "actor": world.member_a,
        "unit": world.unit_a,
        "topic": "pool",
        "question": "May the pool pay a deposit on a flat?",
    }
    return advice_request_create(**{**fields, **overrides})
