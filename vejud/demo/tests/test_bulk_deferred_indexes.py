"""The bulk writer builds secondary indexes and foreign keys after a large load (PostgreSQL).

The schema must be whole again afterwards, whether the load succeeded or failed, and
the foreign keys must be checked against every loaded row when they come back.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection

from vejud.audit.services import audit_record, audited
from vejud.cases.models import JournalEntry
from vejud.demo.bulk.tables import TABLES
from vejud.demo.bulk.writer import BulkWriter

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the indexes are deferred on PostgreSQL only"
    ),
]


def _schema() -> tuple[set[Any], set[Any]]:
    """Every index (name, table, unique, columns, partial or not, GIN or not) and every
    foreign key of the public schema. (A rebuilt partial index prints its condition with
    the casts placed differently, so conditions are not compared as text.)"""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, i.indrelid::regclass::text, i.indisunique, i.indkey::text,"
            " i.indpred IS NOT NULL, pg_get_indexdef(i.indexrelid) ~ 'USING gin'"
            " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE c.relnamespace = 'public'::regnamespace"
        )
        indexes = set(cursor.fetchall())
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace"
        )
        foreign_keys = set(cursor.fetchall())
    return indexes, foreign_keys


def test_indexes_and_foreign_keys_are_set_aside_and_built_again() -> None:
    before = _schema()
    writer = BulkWriter("default", TABLES)
    deferred_indexes, deferred_keys = writer.deferrable_ddl()
    assert any("cases_journalentry" in create for _, create in deferred_indexes)
    assert any("cases_journalentry" in create for _, create in deferred_keys)
    # Primary keys and unique constraints stay: they decide what may be written.
    assert not any("UNIQUE" in create for _, create in deferred_indexes)
    lines: list[str] = []
    with writer.deferred_indexes(lines.append):
        during = _schema()
        assert during[0] < before[0]
        assert during[1] < before[1]
        assert not {index[0] for index in during[0]} & {
            create.split()[2] for _, create in deferred_indexes
        }
    assert _schema() == before
    assert "set aside" in lines[0] and "built again" in lines[1]


def test_the_schema_is_whole_again_after_a_failed_load() -> None:
    before = _schema()
    writer = BulkWriter("default", TABLES)
    with pytest.raises(RuntimeError, match="load failed"), writer.deferred_indexes():
        raise RuntimeError("load failed")
    assert _schema() == before


def _write_orphan_note() -> None:
    """A note of a case and an author that do not exist, written with its audit record as the
    bulk writer writes (the guard admits it; only the foreign keys could refuse it)."""
    with audited(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_journalentry (case_id, author_id, created_at, text)"
            " VALUES (999999, 999999, now(), 'orphan') RETURNING id"
        )
        (pk,) = cursor.fetchone()
        audit_record(actor=None, action="test.orphan_note", obj=JournalEntry(pk=pk))


def test_a_row_that_breaks_a_foreign_key_is_caught_when_the_key_comes_back() -> None:
    before = _schema()
    writer = BulkWriter("default", TABLES)
    with pytest.raises(IntegrityError, match="cases_journalentry"), writer.deferred_indexes():
        _write_orphan_note()
    # Every index is back; the broken keys are back too, unvalidated (they hold for new rows).
    indexes, keys = _schema()
    assert indexes == before[0]
    broken = keys - before[1]
    assert {(table, definition.endswith("NOT VALID")) for table, _, definition in broken} == {
        ("cases_journalentry", True)
    }
    assert len(broken) == 2  # the case and the author
    with connection.cursor() as cursor:
        # CASCADE: the tables that point at journal notes (advice attachments) are empty here.
        cursor.execute("TRUNCATE cases_journalentry CASCADE")
        for _, name, _ in broken:
            cursor.execute(f"ALTER TABLE cases_journalentry VALIDATE CONSTRAINT {name}")
    assert _schema() == before
