"""A large bulk load sets aside the per-row triggers it makes redundant (PostgreSQL), as
``pg_restore --disable-triggers`` does, and checks the audit guard's rule set-based after it.

The triggers must be back afterwards whether the load succeeded or failed, and a row
written without an audit record in its transaction must fail the load loudly.
"""

from __future__ import annotations

from contextlib import nullcontext

import pytest
from django.db import IntegrityError, connection

from vejud.audit.guard import missing_triggers
from vejud.audit.services import audit_record, audited, verify_chain
from vejud.cases.models import Case, JournalEntry
from vejud.demo import showcase as demo
from vejud.demo.bulk import bulk_seed
from vejud.demo.bulk.tables import TABLES
from vejud.demo.bulk.writer import GUARD_TRIGGER, BulkWriter
from vejud.reference.services import reference_load
from vejud.statistics import triggers as statistics_triggers
from vejud.statistics.services import counters_check
from vejud.testing import ensure_reference_data

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the triggers are set aside on PostgreSQL only"
    ),
]


def _disabled() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE NOT t.tgisinternal AND t.tgenabled = 'D'"
        )
        return set(cursor.fetchall())


def _nothing_missing() -> bool:
    return (
        not missing_triggers(connection)
        and not statistics_triggers.missing_triggers(connection)
        and not _disabled()
    )


def _note(text: str, *, audit: bool) -> None:
    """A journal note on the first case, written in a transaction of its own (another
    session's write during the load), with or without an audit record."""
    case = Case.objects.order_by("pk").values_list("pk", "person_id").first()
    assert case is not None
    with audited() if audit else nullcontext(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_journalentry (case_id, author_id, created_at, text)"
            " SELECT %s, min(id), now(), %s FROM accounts_user RETURNING id",
            [case[0], text],
        )
        (pk,) = cursor.fetchone()
        if audit:
            audit_record(actor=None, action="test.note", obj=JournalEntry(pk=pk))


@pytest.fixture
def a_case() -> None:
    """One bulk case, written as the seeder writes (with the guard on), for notes to refer to."""
    reference_load(missing_only=True)
    ensure_reference_data()
    bulk_seed(cases=1, staff=demo.ensure_staff(), defer_indexes=False)


def test_the_redundant_triggers_are_set_aside_and_back() -> None:
    assert _nothing_missing()
    writer = BulkWriter("default", TABLES)
    triggers = writer.redundant_triggers()
    names = {name for _, name in triggers}
    assert names == {GUARD_TRIGGER, *statistics_triggers.TRIGGER_NAMES}
    assert ("cases_journalentry", GUARD_TRIGGER) in triggers
    # The audit record's txid is still set by its trigger; the append-only ones stay.
    assert not any(table.startswith("audit_") for table, _ in triggers)
    lines: list[str] = []
    with writer.triggers_set_aside(lines.append):
        assert _disabled() == set(triggers)
        assert "cases_journalentry" in missing_triggers(connection)
    assert _nothing_missing()
    assert "set aside" in lines[0] and "has its audit record" in lines[1]


def test_the_triggers_are_back_after_a_failed_load() -> None:
    writer = BulkWriter("default", TABLES)
    with pytest.raises(RuntimeError, match="load failed"), writer.triggers_set_aside():
        raise RuntimeError("load failed")
    assert _nothing_missing()


@pytest.mark.usefixtures("a_case")
def test_a_row_without_an_audit_record_in_its_transaction_fails_the_load() -> None:
    writer = BulkWriter("default", TABLES)

    def load() -> None:
        with writer.triggers_set_aside():
            _note("audited", audit=True)  # another session's audited write passes
            _note("not audited", audit=False)  # the guard is off: only the check refuses it

    with pytest.raises(IntegrityError, match=r"cases_journalentry \(1 rows\)"):
        load()
    assert _nothing_missing()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE cases_journalentry CASCADE")


@pytest.mark.usefixtures("a_case")
def test_audited_rows_written_during_the_load_pass_the_check() -> None:
    writer = BulkWriter("default", TABLES)
    with writer.triggers_set_aside():
        _note("audited", audit=True)
    assert _nothing_missing()


def test_a_large_bulk_seed_leaves_every_trigger_in_place() -> None:
    reference_load(missing_only=True)
    ensure_reference_data()
    lines: list[str] = []
    result = bulk_seed(
        cases=40, staff=demo.ensure_staff(), progress=lines.append, defer_indexes=True
    )
    assert result.cases == 40
    text = "\n".join(lines)
    assert "per-row triggers set aside" in text and "has its audit record" in text
    assert _nothing_missing()
    assert verify_chain().ok
    assert counters_check().ok
