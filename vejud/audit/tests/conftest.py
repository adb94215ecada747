"""Fixtures for the audit tests: a case whose person carries every kind of protected data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import dj_database_url
import psycopg
import pytest
from django.db import connection

from vejud.audit.guard import MODE_CLOSED, MODE_MAINTENANCE
from vejud.cases.models import Case
from vejud.testing import make_case
from vejud.testing.builders import ADDRESS, CPR, THREATS, make_sensitive_case

__all__ = ["ADDRESS", "CPR", "THREATS", "as_dba", "sensitive"]

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
def as_dba() -> Iterator[Any]:
    """Yield a cursor of the database's administrator, past every trigger (tampering).

    PostgreSQL: a connection of its own as the superuser (VEJUD_TEST_SUPERUSER_URL, by default
    postgres on the test database's server) with triggers off for its session, so tests that
    use it commit their data first (``django_db(transaction=True)``). SQLite: the test's
    connection in maintenance mode.
    """
    if connection.vendor != "postgresql":
        connection.vejud_write_mode = MODE_MAINTENANCE  # type: ignore[attr-defined]
        try:
            with connection.cursor() as cursor:
                yield cursor
        finally:
            connection.vejud_write_mode = MODE_CLOSED  # type: ignore[attr-defined]
        return
    own = connection.settings_dict
    url = os.environ.get("VEJUD_TEST_SUPERUSER_URL")
    superuser = dj_database_url.parse(url) if url else {"USER": "postgres"}
    params = {
        "dbname": own["NAME"],
        "user": superuser.get("USER") or "postgres",
        "password": superuser.get("PASSWORD") or None,
        "host": superuser.get("HOST") or own.get("HOST") or None,
        "port": superuser.get("PORT") or own.get("PORT") or None,
    }
    with (
        psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn,
        conn.cursor() as cursor,
    ):
        cursor.execute("SET session_replication_role = replica")
        yield cursor
