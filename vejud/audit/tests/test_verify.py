"""``vejud audit verify`` detects an edited, deleted or truncated audit trail."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from vejud.audit.models import AuditEvent
from vejud.audit.services import chain_hash, event_payload
from vejud.audit.tests.conftest import as_dba
from vejud.testing import make_case

# Committed for real: the administrator tampers from a connection of its own (as_dba).
pytestmark = pytest.mark.django_db(transaction=True)


def run_verify(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("audit", "verify", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_verify_expecting_failure(*args: str) -> tuple[str, str, CommandError]:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("audit", "verify", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), excinfo.value


@pytest.fixture
def trail(world):
    """Return a chain of a few records made through the services."""
    for i in range(3):
        make_case(world.coordinator_a, world.unit_a, first_name=f"Verify{i}")
    assert AuditEvent.objects.count() == 6
    return world


def test_intact_chain_reports_the_number_checked(trail):
    out, err = run_verify()
    assert "Checked 6 audit records" in out
    assert "intact" in out
    assert err == ""


def test_quiet_prints_nothing_when_intact(trail):
    out, err = run_verify("--quiet")
    assert out == ""
    assert err == ""


def test_an_edited_record_is_detected_and_named(trail):
    with as_dba() as cursor:
        cursor.execute("UPDATE audit_auditevent SET reason = %s WHERE seq = %s", ["covered up", 3])
    _out, err, exc = run_verify_expecting_failure()
    assert exc.returncode != 0
    assert "#3: content does not match its hash (edited)" in err
    assert "Checked 6 audit records" in err


def test_an_edited_change_record_is_detected_even_if_rehashed_locally(trail):
    """Rewriting a record and its own keyed hash still breaks the link from the next record."""
    event = AuditEvent.objects.get(seq=2)
    changes = dict(event.changes, status="forged")
    forged = chain_hash(
        event_payload(
            seq=event.seq,
            at=event.at,
            actor_id=event.actor_id,
            actor_label=event.actor_label,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            person_id=event.person_id,
            case_id=event.case_id,
            changes=changes,
            reason=event.reason,
            prev_hash=event.prev_hash,
        ),
        key_id=event.key_id,
    )
    with as_dba() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET changes = %s, hash = %s WHERE seq = 2",
            [json.dumps(changes), forged],
        )
    _out, err, exc = run_verify_expecting_failure()
    assert exc.returncode != 0
    assert "#3: link to the previous record is broken" in err


def test_a_deleted_record_is_detected_and_named(trail):
    with as_dba() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 4")
    _out, err, exc = run_verify_expecting_failure()
    assert exc.returncode != 0
    assert "expected #4, found #5" in err
    assert "#5: link to the previous record is broken" in err


def test_deleting_the_last_record_is_detected_by_the_chain_head(trail):
    with as_dba() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 6")
    _out, err, exc = run_verify_expecting_failure()
    assert exc.returncode != 0
    assert "chain head #6 does not match the last record #5" in err


def test_quiet_still_reports_problems(trail):
    with as_dba() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x' WHERE seq = 1")
    out, err, exc = run_verify_expecting_failure("--quiet")
    assert out == ""
    assert "#1: content does not match its hash (edited)" in err
    assert exc.returncode != 0


def test_the_guard_is_back_after_tampering(trail):
    """The test helper restores the append-only triggers (else later tests would be vacuous)."""
    from django.db import DatabaseError, transaction

    with as_dba() as cursor:
        cursor.execute("UPDATE audit_auditevent SET reason = 'x' WHERE seq = 1")
    # Refused by the append-only trigger, or (two roles) by the application role's rights.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET reason = 'y' WHERE seq = 2")


def test_verify_without_subcommand_is_a_usage_error(db):
    with pytest.raises(CommandError):
        call_command("audit")
