"""Fixtures for the core tests: a person with every kind of protected data."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import connection

from vejud.cases.models import Case
from vejud.testing.builders import ADDRESS, CPR, THREATS, make_sensitive_case

__all__ = ["ADDRESS", "CPR", "THREATS", "make_protected", "protected", "raw_row"]


@dataclass
class Protected:
    case: Case

    @property
    def person_id(self) -> int:
        return self.case.person_id


@pytest.fixture
def protected(world) -> Protected:
    """Return a case whose person has a CPR number, threat notes and a protected address."""
    return make_protected(world)


def make_protected(world) -> Protected:
    """Open a case for a person with a CPR number, threat notes and a protected address."""
    return Protected(case=make_sensitive_case(world, first_name="Vera", last_name="Hemmelig"))


def raw_row(table: str, columns: list[str], pk_column: str, pk: int) -> tuple:
    """Return column values exactly as stored, bypassing the fields' decryption."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(qn(c) for c in columns)} FROM {qn(table)}"
            f" WHERE {qn(pk_column)} = %s",
            [pk],
        )
        return cursor.fetchone()


def raw_person(person_id: int) -> tuple[str, str]:
    cpr, threats = raw_row("people_person", ["cpr", "threat_notes"], "id", person_id)
    return cpr, threats


def raw_address(person_id: int) -> str:
    (address,) = raw_row("people_protectedaddress", ["address"], "person_id", person_id)
    return address
