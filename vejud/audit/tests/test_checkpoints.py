"""The keyed chain and its checkpoints against someone who can rewrite the database.

Each test tampers as a database administrator would (past the triggers), then runs
``vejud audit verify`` alone and ``--against`` the checkpoint file written before.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from vejud.audit.keys import audit_keys, current_key_id, key_id
from vejud.audit.models import AuditChainHead, AuditEvent
from vejud.audit.services import GENESIS_HASH, event_payload
from vejud.audit.tasks import write_audit_checkpoint
from vejud.audit.tests.conftest import as_dba
from vejud.testing import make_case

# Committed for real, as the trail is in production: the tampering below runs in transactions
# of its own, after the audited ones (PostgreSQL's guard checks each at its commit).
pytestmark = pytest.mark.django_db(transaction=True)


def run_audit(*args: str) -> tuple[int, str, str]:
    """Run ``vejud audit ARGS``; return (exit code, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def checkpoints(tmp_path: Path) -> Path:
    return tmp_path / "checkpoints.log"


@pytest.fixture
def trail(world, checkpoints):
    """Six records, a checkpoint of them, then two more records after it."""
    for i in range(3):
        make_case(world.coordinator_a, world.unit_a, first_name=f"Trail{i}")
    assert run_audit("checkpoint", "--file", str(checkpoints))[0] == 0
    make_case(world.coordinator_a, world.unit_a, first_name="After")
    assert AuditEvent.objects.count() == 8
    return world


def _link(payload: bytes, key: bytes | None) -> str:
    if key is None:
        return hashlib.sha256(payload).hexdigest()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def rewrite_chain(*, key: bytes | None, key_name: str = "") -> None:
    """Recompute every link from the stored rows and move the chain head: a full forgery."""
    prev = GENESIS_HASH
    rows = list(AuditEvent.objects.order_by("seq"))
    with as_dba() as cursor:
        for event in rows:
            payload = event_payload(
                seq=event.seq,
                at=event.at,
                actor_id=event.actor_id,
                actor_label=event.actor_label,
                action=event.action,
                object_type=event.object_type,
                object_id=event.object_id,
                person_id=event.person_id,
                case_id=event.case_id,
                changes=event.changes,
                reason=event.reason,
                prev_hash=prev,
            )
            digest = _link(payload, key)
            cursor.execute(
                "UPDATE audit_auditevent SET prev_hash = %s, hash = %s, key_id = %s WHERE seq = %s",
                [prev, digest, key_name or event.key_id, event.seq],
            )
            prev = digest
        cursor.execute(
            "UPDATE audit_auditchainhead SET seq = %s, hash = %s WHERE id = 1",
            [rows[-1].seq if rows else 0, prev],
        )


def dba(sql: str, params: list | None = None) -> None:
    with as_dba() as cursor:
        cursor.execute(sql, params or [])


def test_every_record_names_the_current_key_and_verifies(trail, checkpoints):
    assert set(AuditEvent.objects.values_list("key_id", flat=True)) == {current_key_id()}
    code, out, err = run_audit("verify", "--against", str(checkpoints))
    assert code == 0, err
    assert "Checked 8 audit records against 1 checkpoint(s): the chain is intact." in out


def test_a_checkpoint_line_holds_the_head_and_a_signature(trail, checkpoints):
    (line,) = checkpoints.read_text().splitlines()
    data = json.loads(line)
    assert data["seq"] == 6
    assert data["hash"] == AuditEvent.objects.get(seq=6).hash
    assert data["key_id"] == current_key_id()
    assert len(data["mac"]) == 64


def test_checkpoints_are_appended_never_overwritten(trail, checkpoints):
    code, out, _err = run_audit("checkpoint", "--file", str(checkpoints))
    assert code == 0
    assert f"Checkpoint #8 written to {checkpoints}." in out
    assert [json.loads(line)["seq"] for line in checkpoints.read_text().splitlines()] == [6, 8]


def test_the_issues_forgery_unkeyed_sha256_chain_is_detected(trail, checkpoints):
    """Edit a record and recompute the whole chain with plain SHA-256 (what passed before)."""
    dba("UPDATE audit_auditevent SET reason = 'covered up' WHERE seq = 3")
    rewrite_chain(key=None)
    code, _out, err = run_audit("verify")
    assert code == 1
    assert "#1: content does not match its hash (edited)" in err


def test_a_forgery_under_a_guessed_key_id_is_detected(trail, checkpoints):
    rewrite_chain(key=b"x" * 40, key_name=key_id("x" * 40))
    code, _out, err = run_audit("verify")
    assert code == 1
    assert "which is not configured" in err


def test_a_rewrite_with_the_key_before_the_checkpoint_is_detected_against_it(trail, checkpoints):
    """Even whoever holds the key cannot rewrite what a checkpoint shipped elsewhere covers."""
    dba("UPDATE audit_auditevent SET reason = 'covered up' WHERE seq = 2")
    rewrite_chain(key=audit_keys()[current_key_id()])
    assert run_audit("verify")[0] == 0  # the chain alone is consistent again
    code, _out, err = run_audit("verify", "--against", str(checkpoints))
    assert code == 1
    assert "checkpoint #6 of " in err
    assert "the record's hash differs (the chain was rewritten before this checkpoint)" in err


def test_deleting_the_tail_and_moving_the_head_back_is_detected_against_it(trail, checkpoints):
    last = AuditEvent.objects.get(seq=5)
    dba("DELETE FROM audit_auditevent WHERE seq >= 6")
    dba("UPDATE audit_auditchainhead SET seq = 5, hash = %s WHERE id = 1", [last.hash])
    assert run_audit("verify")[0] == 0  # a shorter chain is still a chain
    code, _out, err = run_audit("verify", "--against", str(checkpoints))
    assert code == 1
    assert "checkpoint #6 of " in err
    assert "the record is missing (deleted or truncated; the chain head is at #5)" in err


def test_truncating_the_trail_and_resetting_the_head_is_detected_against_it(trail, checkpoints):
    dba(
        "TRUNCATE audit_auditevent"
        if connection.vendor == "postgresql"
        else "DELETE FROM audit_auditevent"
    )
    dba("UPDATE audit_auditchainhead SET seq = 0, hash = %s WHERE id = 1", [GENESIS_HASH])
    assert run_audit("verify")[0] == 0
    code, _out, err = run_audit("verify", "--against", str(checkpoints))
    assert code == 1
    assert "checkpoint #6 of " in err and "the record is missing" in err


def test_inserting_a_record_before_the_checkpoint_is_detected_against_it(trail, checkpoints):
    """Shift records #3.. up by one, slip a record in as #3, and re-link all with the key."""
    dba("UPDATE audit_auditevent SET seq = seq + 100 WHERE seq >= 3")
    dba("UPDATE audit_auditevent SET seq = seq - 99 WHERE seq >= 100")
    source = AuditEvent.objects.get(seq=2)
    dba(
        "INSERT INTO audit_auditevent (seq, at, actor_label, action, object_type, object_id,"
        " changes, reason, prev_hash, hash, key_id) VALUES (3, %s, 'system', 'case.delete',"
        " 'cases.case', '1', '{}', '', '', '', %s)",
        [source.at, current_key_id()],
    )
    rewrite_chain(key=audit_keys()[current_key_id()])
    assert run_audit("verify")[0] == 0
    code, _out, err = run_audit("verify", "--against", str(checkpoints))
    assert code == 1
    assert "the record's hash differs" in err


def test_an_edited_checkpoint_line_is_refused(trail, checkpoints):
    data = json.loads(checkpoints.read_text())
    data["seq"] = 5
    data["hash"] = AuditEvent.objects.get(seq=5).hash
    checkpoints.write_text(json.dumps(data) + "\n")
    code, _out, err = run_audit("verify", "--against", str(checkpoints))
    assert code == 1
    assert "checkpoint line 1: signature does not match (forged or edited)" in err


def test_a_missing_checkpoint_file_is_a_clear_error(trail, tmp_path):
    with pytest.raises(CommandError, match="Cannot read the checkpoint file"):
        call_command("audit", "verify", "--against", str(tmp_path / "none.log"))


def test_the_task_writes_a_checkpoint_to_the_configured_file(trail, settings, tmp_path):
    settings.VEJUD_AUDIT_CHECKPOINTS = str(tmp_path / "var" / "checkpoints.log")
    result = write_audit_checkpoint.enqueue()
    assert result.return_value == 8
    line = json.loads(Path(settings.VEJUD_AUDIT_CHECKPOINTS).read_text())
    assert (line["seq"], line["hash"]) == (8, AuditChainHead.objects.get(id=1).hash)


def test_rotation_new_key_first_old_key_kept_then_removed(trail, settings, checkpoints):
    old = settings.VEJUD_AUDIT_KEYS[0]
    new = "n" * 48
    settings.VEJUD_AUDIT_KEYS = [new, old]
    make_case(trail.coordinator_a, trail.unit_a, first_name="Rotated")
    assert AuditEvent.objects.get(seq=10).key_id == key_id(new)
    assert AuditEvent.objects.get(seq=1).key_id == key_id(old)
    assert run_audit("verify", "--against", str(checkpoints))[0] == 0
    settings.VEJUD_AUDIT_KEYS = [new]
    code, _out, err = run_audit("verify", "--against", str(checkpoints))
    assert code == 1
    assert f"#1: linked with key '{key_id(old)}', which is not configured" in err
    assert "checkpoint line 1: signed with key" in err
