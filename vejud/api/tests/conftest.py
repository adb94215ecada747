"""Fixtures for the API tests: cases of unit A and B, and a bearer-token client per user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from vejud.cases.services import journal_add, mentor_assign
from vejud.people.models import Attachment, GangGroup, GroupKind
from vejud.testing import make_case
from vejud.testing.api import JsonApi, token_for
from vejud.testing.builders import make_custody_inquiry

__all__ = ["JsonApi", "api_client", "cases", "token_for"]


@pytest.fixture
def api_client(world) -> Callable[[Any], JsonApi]:
    """Return a factory: ``api_client(user)`` → a client with a valid token of ``user``."""

    def make(user: Any) -> JsonApi:
        return JsonApi(user)

    return make


@pytest.fixture
def cases(world):
    """Return a liberty case of unit A (mentor assigned, journal, gang), a custody case, a case of B."""
    group = GangGroup.objects.create(name="Test Riders", kind=GroupKind.BIKER)
    case_a = make_case(
        world.member_a,
        world.unit_a,
        first_name="Zelda",
        last_name="Quixwort",
        cpr="1705951113",
        gang_group=group,
        gang_role="prospect",
        attachment=Attachment.ASSOCIATE,
        threat_notes="Threatened by former associates.",
    )
    journal_add(actor=world.member_a, case=case_a, text="First meeting held.")
    mentor_assign(actor=world.coordinator_a, case=case_a, mentor=world.mentor)
    custody_a = make_custody_inquiry(world, first_name="Yannick", last_name="Custodio")
    case_b = make_case(world.member_b, world.unit_b, first_name="Xaver", last_name="Bunit")
    return {"a": case_a, "custody": custody_a, "b": case_b}
