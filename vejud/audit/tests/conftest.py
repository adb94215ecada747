"""Fixtures for the audit tests: a case whose person carries every kind of protected data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.db import connection

from vejud.audit.guard import MODE_CLOSED, MODE_MAINTENANCE
from vejud.cases.models import Case
from vejud.testing import make_case
from vejud.testing.builders import ADDRESS, CPR, THREATS, make_sensitive_case

__all__ = ["ADDRESS", "CPR", "THREATS", "around_the_triggers", "sensitive"]

NAME_FIRST = "Zebulon"
NAME_LAST = "Quixotesen"


@dataclass
class Sensitive:
    case: Case
    other_case: Case


@pytest.fixture
def sensitive(world) -> Sensitive:
    """Return a unit A case with name, CPR, threat notes and a protected address, and a unit B case."""
    case = make_sensitive_case(world, first_name=NAME_FIRST, last_name=NAME_LAST)
    other = make_case(world.coordinator_b, world.unit_b, first_name="Other", last_name="Person")
    return Sensitive(case=case, other_case=other)


@contextmanager
def around_the_triggers() -> Iterator[None]:
    """Let a test write to the append-only tables, as a DBA going around the triggers would."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
    else:
        connection.vejud_write_mode = MODE_MAINTENANCE  # type: ignore[attr-defined]
        try:
            yield
        finally:
            connection.vejud_write_mode = MODE_CLOSED  # type: ignore[attr-defined]
