"""Writing the audit trail and the access log.

Every service that changes person or case data runs inside ``audited()`` and
calls ``audit_record`` for what it changed. Records are buffered and appended to
the hash chain when the outermost scope closes, still inside the transaction,
so the chain head is locked only for the shortest time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import wraps
from typing import Any, ParamSpec, Protocol, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest
from django.utils import timezone

from vejud.audit.guard import MODE_AUDIT_SCOPE, MODE_CLOSED, set_write_mode
from vejud.audit.keys import UnknownAuditKeyError, current_key_id, mac
from vejud.audit.models import AccessLog, AuditChainHead, AuditEvent
from vejud.core.crypto import EncryptedTextField, keyed_hash
from vejud.core.request_cache import request_cache_clear

P = ParamSpec("P")
R = TypeVar("R")

GENESIS_HASH = "0" * 64


class AuditMissingError(RuntimeError):
    """An audit scope closed without recording what it changed."""


@dataclass
class _PendingEvent:
    at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    object_type: str
    object_id: str
    person_id: int | None
    case_id: int | None
    changes: dict[str, Any]
    reason: str


@dataclass
class _ScopeState:
    depth: int = 0
    buffer: list[_PendingEvent] = field(default_factory=list)


def _state(connection: BaseDatabaseWrapper) -> _ScopeState:
    state = getattr(connection, "vejud_audit_state", None)
    if state is None:
        state = _ScopeState()
        connection.vejud_audit_state = state  # type: ignore[attr-defined]
    return state


@contextmanager
def audited() -> Iterator[None]:
    """Open a transaction whose writes to guarded tables must be audited before commit."""
    with transaction.atomic():
        connection = transaction.get_connection()
        state = _state(connection)
        outermost = state.depth == 0
        mark = len(state.buffer)
        if outermost:
            set_write_mode(connection, MODE_AUDIT_SCOPE)
        state.depth += 1
        try:
            yield
            if outermost:
                if not state.buffer:
                    raise AuditMissingError("A change to guarded data was not audited.")
                _append_to_chain(state.buffer)
                set_write_mode(connection, MODE_CLOSED)
        except BaseException:
            # Records of work being rolled back must not reach the chain. On
            # PostgreSQL the rollback also reverts the transaction-local setting.
            del state.buffer[mark:]
            if outermost and connection.vendor == "sqlite":
                connection.vejud_write_mode = MODE_CLOSED
            raise
        finally:
            state.depth -= 1
            if outermost:
                state.buffer.clear()
                # Permission answers remembered for this request may have changed.
                request_cache_clear()


def audited_service(func: Callable[P, R]) -> Callable[P, R]:
    """Run a service function atomically inside an audit scope."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with audited():
            return func(*args, **kwargs)

    return wrapper


# The trail sits below every app (accounts records through it), so actors are typed as Django's
# base user class: vejud.accounts.models.User is one.
def _label(actor: AbstractBaseUser | None) -> str:
    if actor is None:
        return "system"
    return f"{getattr(actor, 'full_name', '')} <{getattr(actor, 'email', actor.pk)}>"


def _jsonable(value: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    return result


def audit_record(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    obj: models.Model,
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
    person_id: int | None = None,
    case_id: int | None = None,
) -> None:
    """Record one change inside the current audit scope."""
    connection = transaction.get_connection()
    state = _state(connection)
    if state.depth == 0:
        raise AuditMissingError("audit_record() called outside an audit scope.")
    state.buffer.append(
        _PendingEvent(
            at=timezone.now(),
            actor_id=getattr(actor, "pk", None),
            actor_label=_label(actor),
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            person_id=person_id,
            case_id=case_id,
            changes=_jsonable(changes or {}),
            reason=reason,
        )
    )


class _CaseRef(Protocol):
    pk: Any
    person_id: int


def audit_case_change(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    obj: models.Model,
    case: _CaseRef,
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
) -> None:
    """Record a change to ``obj`` on ``case``; ``changes`` defaults to a snapshot of ``obj``."""
    audit_record(
        actor=actor,
        action=action,
        obj=obj,
        changes=snapshot(obj) if changes is None else changes,
        reason=reason,
        person_id=case.person_id,
        case_id=case.pk,
    )


def audit_person_change(
    *, actor: AbstractBaseUser | None, action: str, obj: models.Model, person: models.Model
) -> None:
    """Record ``obj``, new or changed, of ``person`` outside any case, as a snapshot."""
    audit_record(actor=actor, action=action, obj=obj, changes=snapshot(obj), person_id=person.pk)


def event_payload(
    *,
    seq: int,
    at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    person_id: int | None,
    case_id: int | None,
    changes: Any,
    reason: str,
    prev_hash: str,
) -> bytes:
    """Return the canonical bytes an audit event's hash is computed over."""
    payload = {
        "seq": seq,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "person_id": person_id,
        "case_id": case_id,
        "changes": changes,
        "reason": reason,
        "prev_hash": prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(payload: bytes, *, key_id: str) -> str:
    """Return the keyed hash that links an event into the chain (HMAC under ``key_id``)."""
    return mac(payload, key=key_id)


def _append_to_chain(pending: list[_PendingEvent]) -> None:
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    seq, prev = head.seq, head.hash
    key_id = current_key_id()
    rows: list[AuditEvent] = []
    for item in pending:
        seq += 1
        row = {**vars(item), "seq": seq, "prev_hash": prev}
        digest = chain_hash(event_payload(**row), key_id=key_id)
        rows.append(AuditEvent(**row, hash=digest, key_id=key_id))
        prev = digest
    AuditEvent.objects.bulk_create(rows)
    head.seq, head.hash = seq, prev
    head.save(update_fields=["seq", "hash"])


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """Return the audit view of ``instance``: protected fields as keyed fingerprints only."""
    result: dict[str, Any] = {}
    for f in instance._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        if f.name in {"cpr_hash", "name_search"}:
            continue
        value = getattr(instance, f.attname)
        if isinstance(f, EncryptedTextField):
            result[f.name] = (
                f"[protected:{keyed_hash(value, purpose='audit')[:12]}]" if value else ""
            )
        else:
            result[f.name] = value
    return _jsonable(result)


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``{field: [old, new]}`` for the fields that changed."""
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def log_access(
    *,
    user: AbstractBaseUser,
    part: str,
    person_id: int | None = None,
    case_id: int | None = None,
    request: HttpRequest | None = None,
    channel: str = "web",
    break_glass: bool = False,
    reason: str = "",
    advice: bool = False,
) -> None:
    """Write one access-log record for a view of a person's data (``advice``: by an adviser
    through an advice request)."""
    log_access_many(
        user=user,
        part=part,
        entries=[(person_id, case_id, break_glass)],
        request=request,
        channel=channel,
        reason=reason,
        advice=advice,
    )


def log_access_many(
    *,
    user: AbstractBaseUser,
    part: str,
    entries: Iterable[tuple[int | None, int | None, bool]],
    request: HttpRequest | None = None,
    channel: str = "web",
    reason: str = "",
    advice: bool = False,
) -> None:
    """Write one access-log record per ``(person_id, case_id, break_glass)`` in one query."""
    shared = {
        "advice": advice,
        "user_id": user.pk,
        "part": part,
        "channel": channel,
        "reason": reason,
        "ip_address": _client_ip(request),
    }
    AccessLog.objects.bulk_create(
        [
            AccessLog(person_id=person_id, case_id=case_id, break_glass=break_glass, **shared)
            for person_id, case_id, break_glass in entries
        ]
    )


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    problems: list[str]


def verify_chain(*, max_problems: int = 20) -> VerifyResult:
    """Recompute the keyed chain; report edited, deleted, inserted or truncated records.

    Whoever can write the database but does not hold the keys cannot make an edited,
    inserted or re-linked record pass. Records cut off at the end, with the chain head
    moved back, are found only against the checkpoints (``verify_checkpoints``).
    """
    problems: list[str] = []
    expected_seq = 0
    prev = GENESIS_HASH
    checked = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=5000):
        checked += 1
        expected_seq += 1
        if event.seq != expected_seq:
            problems.append(f"sequence gap: expected #{expected_seq}, found #{event.seq}")
            expected_seq = event.seq
        if event.prev_hash != prev:
            problems.append(f"#{event.seq}: link to the previous record is broken")
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
            prev_hash=event.prev_hash,
        )
        try:
            if chain_hash(payload, key_id=event.key_id) != event.hash:
                problems.append(f"#{event.seq}: content does not match its hash (edited)")
        except UnknownAuditKeyError:
            problems.append(
                f"#{event.seq}: linked with key {event.key_id!r}, which is not configured"
                " (forged, or an old key removed from VEJUD_AUDIT_KEYS too early)"
            )
        prev = event.hash
        if len(problems) >= max_problems:
            break
    head = AuditChainHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if len(problems) < max_problems and (head_seq != expected_seq or head_hash != prev):
        problems.append(
            f"chain head #{head_seq} does not match the last record #{expected_seq} "
            "(records deleted at the end?)"
        )
    return VerifyResult(ok=not problems, checked=checked, problems=problems)
