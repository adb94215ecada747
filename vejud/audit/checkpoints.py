"""Signed checkpoints of the audit chain's head, kept outside the database.

``vejud audit checkpoint`` (cron, or the ``write_checkpoint`` task) appends one line per
run to an append-only file (``VEJUD_AUDIT_CHECKPOINTS``) that the operator ships off the
database server (log shipping, WORM storage). Each line holds the head's sequence number
and hash, the time and an HMAC under an audit key (``vejud.audit.keys``, purpose
"checkpoint"). The chain links every record to the one before it, so a record that still
carries the checkpointed hash proves every record up to it unchanged: ``vejud audit verify
--against FILE`` finds any rewrite, deletion, insertion or truncation before the last
checkpoint, even by someone who recomputes the chain or moves the chain head back.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from vejud.audit.keys import UnknownAuditKeyError, current_key_id, mac
from vejud.audit.models import AuditChainHead, AuditEvent
from vejud.audit.services import GENESIS_HASH


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    key_id: str

    def payload(self) -> bytes:
        return f"vejud-audit-checkpoint\n{self.seq}\n{self.hash}\n{self.at}".encode()

    def line(self) -> str:
        signature = mac(self.payload(), key=self.key_id, purpose="checkpoint")
        fields = {"seq": self.seq, "hash": self.hash, "at": self.at, "key_id": self.key_id}
        return json.dumps({**fields, "mac": signature}, separators=(",", ":")) + "\n"


def write_checkpoint(path: str | Path) -> Checkpoint:
    """Append a signed checkpoint of the current chain head to ``path``; return it."""
    head = AuditChainHead.objects.filter(id=1).first()
    seq, digest = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    checkpoint = Checkpoint(
        seq=seq,
        hash=digest,
        at=timezone.now().isoformat(timespec="seconds"),
        key_id=current_key_id(),
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_APPEND: a line is added at the end, never over what is there.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, checkpoint.line().encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return checkpoint


def _parse(number: int, line: str) -> tuple[Checkpoint | None, str | None]:
    try:
        data = json.loads(line)
        checkpoint = Checkpoint(
            seq=int(data["seq"]), hash=str(data["hash"]), at=str(data["at"]), key_id=data["key_id"]
        )
        signature = str(data["mac"])
    except (ValueError, KeyError, TypeError):
        return None, f"checkpoint line {number}: unreadable"
    try:
        expected = mac(checkpoint.payload(), key=checkpoint.key_id, purpose="checkpoint")
    except UnknownAuditKeyError:
        return (
            None,
            f"checkpoint line {number}: signed with key {checkpoint.key_id!r}, not configured",
        )
    if expected != signature:
        return None, f"checkpoint line {number}: signature does not match (forged or edited)"
    return checkpoint, None


def read_checkpoints(path: str | Path) -> tuple[list[Checkpoint], list[str]]:
    """Return the checkpoints whose signature holds, and the problems with the other lines."""
    checkpoints: list[Checkpoint] = []
    problems: list[str] = []
    with Path(path).open(encoding="utf-8") as file:
        for number, line in enumerate(file, start=1):
            if not line.strip():
                continue
            checkpoint, problem = _parse(number, line)
            if problem:
                problems.append(problem)
                continue
            assert checkpoint is not None
            if checkpoints and checkpoint.seq < checkpoints[-1].seq:
                problems.append(
                    f"checkpoint line {number}: #{checkpoint.seq} comes after"
                    f" #{checkpoints[-1].seq} (the chain went backwards)"
                )
            checkpoints.append(checkpoint)
    return checkpoints, problems


def verify_checkpoints(path: str | Path, *, max_problems: int = 20) -> tuple[int, list[str]]:
    """Check every signed checkpoint in ``path`` against the trail; return (count, problems)."""
    checkpoints, problems = read_checkpoints(path)
    head = AuditChainHead.objects.filter(id=1).first()
    head_seq = head.seq if head else 0
    wanted = sorted({c.seq for c in checkpoints if c.seq > 0})
    stored: dict[int, str] = {}
    for start in range(0, len(wanted), 1000):
        stored.update(
            AuditEvent.objects.filter(seq__in=wanted[start : start + 1000]).values_list(
                "seq", "hash"
            )
        )
    for checkpoint in checkpoints:
        if len(problems) >= max_problems:
            break
        seq = checkpoint.seq
        if seq == 0:
            if checkpoint.hash != GENESIS_HASH:
                problems.append(f"checkpoint #0 of {checkpoint.at}: not the empty chain")
        elif seq not in stored:
            problems.append(
                f"checkpoint #{seq} of {checkpoint.at}: the record is missing"
                f" (deleted or truncated; the chain head is at #{head_seq})"
            )
        elif stored[seq] != checkpoint.hash:
            problems.append(
                f"checkpoint #{seq} of {checkpoint.at}: the record's hash differs"
                " (the chain was rewritten before this checkpoint)"
            )
    return len(checkpoints), problems[:max_problems]
