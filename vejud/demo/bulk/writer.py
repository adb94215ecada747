"""Writing generated rows: COPY on PostgreSQL, ``executemany`` on SQLite.

Rows arrive as plain tuples in each table's column order. Ids come from the
tables' own sequences (PostgreSQL: blocks of ``nextval``; SQLite: after the
largest id, inside the caller's transaction). Every flush is one transaction
that opens the audit scope exactly as ``audited()`` does, writes the rows in
dependency order, appends the flush's audit events to the hash chain under the
chain-head lock, and closes the scope again. No trigger is disabled: the guard
sees an open scope with its audit records, as for any service.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from vejud.audit.guard import MODE_AUDIT_SCOPE, MODE_CLOSED, set_write_mode
from vejud.audit.keys import audit_keys, current_key_id
from vejud.audit.models import AccessLog, AuditChainHead, AuditEvent
from vejud.audit.services import GENESIS_HASH
from vejud.cases.models import CaseReferenceCounter

EPOCH = date(1970, 1, 1).toordinal()
US = 1_000_000
DAY_US = 86_400 * US

# The canonical JSON of the audit chain (see audit.services.event_payload).
canonical_json: Callable[[Any], str] = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False
).encode


@dataclass(frozen=True)
class Table:
    """A table written in bulk: its model and the columns each row tuple holds, in order."""

    model: type[models.Model]
    columns: tuple[str, ...]
    name: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", self.model._meta.db_table)

    def check_columns(self) -> None:
        """Fail loudly if the model has a required column the generator does not fill."""
        known = {f.column: f for f in self.model._meta.concrete_fields}
        unknown = [c for c in self.columns if c not in known]
        missing = [
            c
            for c, f in known.items()
            if c not in self.columns
            and not (f.primary_key or f.null or f.db_default is not models.NOT_PROVIDED)
        ]
        if unknown or missing:
            raise RuntimeError(
                f"The bulk seeder is out of date for {self.name}: "
                f"unknown columns {unknown}, required columns not filled {missing}."
            )


AUDIT_COLUMNS = (
    "seq",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "person_id",
    "case_id",
    "changes",
    "reason",
    "prev_hash",
    "hash",
    "key_id",
)
ACCESS_COLUMNS = (
    "at",
    "user_id",
    "person_id",
    "case_id",
    "part",
    "channel",
    "break_glass",
    "reason",
    "ip_address",
)
AUDIT_TABLE = Table(AuditEvent, AUDIT_COLUMNS)
ACCESS_TABLE = Table(AccessLog, ACCESS_COLUMNS)

# One pending audit event: (at in µs since the epoch, actor id, action, object type,
# object id, person id, case id, changes as canonical JSON, reason).
Event = tuple[int, int | None, str, str, int, int | None, int | None, str, str]


HMS = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400)]


class Clock:
    """Formats microsecond timestamps (UTC) for the database, the audit hash and JSON."""

    def __init__(self, vendor: str) -> None:
        self.suffix = "+00" if vendor == "postgresql" else ""
        self._days: dict[int, str] = {}

    def day(self, day_number: int) -> str:
        """Return the ISO date of a day counted from 1970-01-01."""
        text = self._days.get(day_number)
        if text is None:
            text = date.fromordinal(EPOCH + day_number).isoformat()
            self._days[day_number] = text
        return text

    def db(self, us: int) -> str:
        """The column value of a timestamp (UTC)."""
        seconds, micro = divmod(us, US)
        day_no, second = divmod(seconds, 86_400)
        day = self._days.get(day_no) or self.day(day_no)
        return f"{day} {HMS[second]}.{micro:06d}{self.suffix}"

    def iso(self, us: int) -> str:
        """What ``at.astimezone(UTC).isoformat(timespec="microseconds")`` gives."""
        seconds, micro = divmod(us, US)
        day_no, second = divmod(seconds, 86_400)
        day = self._days.get(day_no) or self.day(day_no)
        return f"{day}T{HMS[second]}.{micro:06d}+00:00"

    def json(self, us: int) -> str:
        """What DjangoJSONEncoder writes for an aware UTC datetime (milliseconds, 'Z')."""
        seconds, micro = divmod(us, US)
        day_no, second = divmod(seconds, 86_400)
        day = self._days.get(day_no) or self.day(day_no)
        if micro:
            return f"{day}T{HMS[second]}.{micro // 1000:03d}Z"
        return f"{day}T{HMS[second]}Z"


def day_number(day: date) -> int:
    return day.toordinal() - EPOCH


def date_of(day_no: int) -> date:
    return date.fromordinal(EPOCH + day_no)


@dataclass
class Chain:
    """The chain head as the seeder last wrote it."""

    seq: int
    hash: str


class Labels:
    """JSON-encoded strings used in every audit payload, encoded once."""

    def __init__(self, actor_labels: dict[int, str]) -> None:
        self.actor_json = {
            pk: json.dumps(label, ensure_ascii=False) for pk, label in actor_labels.items()
        }
        self.actor_labels = actor_labels
        self._strings: dict[str, str] = {}

    def string(self, value: str) -> str:
        encoded = self._strings.get(value)
        if encoded is None:
            encoded = json.dumps(value, ensure_ascii=False)
            self._strings[value] = encoded
        return encoded


def chain_events(
    events: Sequence[Event], chain: Chain, clock: Clock, labels: Labels
) -> list[tuple[Any, ...]]:
    """Link ``events`` into the chain after ``chain`` (advanced in place); return audit rows.

    The payload is built as text in the exact canonical form of
    ``audit.services.event_payload`` (keys sorted, compact, UTF-8), so
    ``verify_chain`` recomputes the same keyed hashes (HMAC under the newest audit key).
    """
    rows: list[tuple[Any, ...]] = []
    seq, prev = chain.seq, chain.hash
    key_id = current_key_id()
    keyed = hmac.new(audit_keys()[key_id], digestmod=hashlib.sha256)
    string = labels.string
    actor_json = labels.actor_json
    actor_labels = labels.actor_labels
    for at, actor_id, action, object_type, object_id, person_id, case_id, changes, reason in events:
        seq += 1
        payload = (
            f'{{"action":{string(action)},'
            f'"actor_id":{"null" if actor_id is None else actor_id},'
            f'"actor_label":{actor_json[actor_id] if actor_id is not None else string("system")},'
            f'"at":"{clock.iso(at)}",'
            f'"case_id":{"null" if case_id is None else case_id},'
            f'"changes":{changes},'
            f'"object_id":"{object_id}",'
            f'"object_type":{string(object_type)},'
            f'"person_id":{"null" if person_id is None else person_id},'
            f'"prev_hash":"{prev}",'
            f'"reason":{string(reason)},'
            f'"seq":{seq}}}'
        )
        link = keyed.copy()
        link.update(payload.encode())
        digest = link.hexdigest()
        rows.append(
            (
                seq,
                clock.db(at),
                actor_id,
                actor_labels[actor_id] if actor_id is not None else "system",
                action,
                object_type,
                str(object_id),
                person_id,
                case_id,
                changes,
                reason,
                prev,
                digest,
                key_id,
            )
        )
        prev = digest
    chain.seq, chain.hash = seq, prev
    return rows


@dataclass
class Batch:
    """Everything one flush writes."""

    rows: dict[str, list[tuple[Any, ...]]]
    events: list[Event] = field(default_factory=list)
    access: list[tuple[Any, ...]] = field(default_factory=list)
    counters: dict[int, int] = field(default_factory=dict)

    def size(self) -> int:
        return sum(len(r) for r in self.rows.values()) + len(self.events) + len(self.access)


class IdSource:
    """Hands out ids of one table from its own sequence, in blocks."""

    def __init__(self, writer: BulkWriter, table: Table, block: int) -> None:
        self.writer = writer
        self.table = table
        self.block = block
        self._ids: range = range(0)  # a range, not a list: a block of ints costs nothing
        self._next = 0

    def __call__(self) -> int:
        try:
            pk = self._ids[self._next]
        except IndexError:
            self._ids = self.writer.reserve_ids(self.table, self.block)
            self._next = 0
            pk = self._ids[0]
        self._next += 1
        return pk


class BulkWriter:
    """Writes batches to one database (PostgreSQL or SQLite).

    The connection is looked up per call, so a writer thread uses its own connection
    while the generating thread takes ids on another.
    """

    def __init__(self, alias: str, tables: Sequence[Table]) -> None:
        self.alias = alias
        self.vendor = self.connection.vendor
        if self.vendor not in {"postgresql", "sqlite"}:  # pragma: no cover
            raise RuntimeError(f"Unsupported database vendor {self.vendor}")
        self.tables = list(tables)
        for table in [*self.tables, AUDIT_TABLE, ACCESS_TABLE]:
            table.check_columns()
        self.clock = Clock(self.vendor)
        self.written: dict[str, int] = {
            t.name: 0 for t in [*self.tables, AUDIT_TABLE, ACCESS_TABLE]
        }
        self._sqlite_next: dict[str, int] = {}
        self.chain: Chain | None = None

    # --- ids ---------------------------------------------------------------------------

    def reserve_ids(self, table: Table, count: int) -> range:
        """Take ``count`` ids for ``table`` from its sequence (gaps are harmless)."""
        if self.vendor == "postgresql":
            with transaction.atomic(using=self.alias), self.connection.cursor() as cursor:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table.name])
                sequence = cursor.fetchone()[0]
                # ALTER SEQUENCE blocks everyone's nextval until commit: the range is ours.
                cursor.execute(f"ALTER SEQUENCE {sequence} INCREMENT BY 1")
                cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
                last, called = cursor.fetchone()
                first = last + 1 if called else last
                cursor.execute("SELECT setval(%s, %s, true)", [sequence, first + count - 1])
            return range(first, first + count)
        with self.connection.cursor() as cursor:
            start = self._sqlite_next.get(table.name)
            if start is None:
                cursor.execute(f'SELECT coalesce(max(id), 0) + 1 FROM "{table.name}"')  # noqa: S608
                start = int(cursor.fetchone()[0])
            self._sqlite_next[table.name] = start + count
            return range(start, start + count)

    @property
    def connection(self) -> BaseDatabaseWrapper:
        return connections[self.alias]

    def id_source(self, table: Table, block: int) -> IdSource:
        return IdSource(self, table, block)

    # --- writing -----------------------------------------------------------------------

    def _copy(self, cursor: Any, table: Table, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        columns = ", ".join(table.columns)
        if self.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
        else:
            marks = ", ".join("?" * len(table.columns))
            self.connection.connection.executemany(
                f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})',  # noqa: S608
                rows,
            )
        self.written[table.name] += len(rows)

    def flush(self, batch: Batch, labels: Labels) -> None:
        """Write one batch in one transaction inside an audit scope."""
        connection = self.connection
        with transaction.atomic(using=connection.alias):
            set_write_mode(connection, MODE_AUDIT_SCOPE)
            try:
                with connection.cursor() as cursor:
                    if self.vendor == "postgresql":
                        # Demo data: losing the last batches in a crash is harmless.
                        cursor.execute("SET LOCAL synchronous_commit = off")
                    for table in self.tables:
                        self._copy(cursor, table, batch.rows.get(table.name, ()))
                    self._append_to_chain(cursor, batch.events, labels)
                    self._save_counters(batch.counters)
                    self._copy(cursor, ACCESS_TABLE, batch.access)
                set_write_mode(connection, MODE_CLOSED)
            except BaseException:
                if self.vendor == "sqlite":
                    connection.vejud_write_mode = MODE_CLOSED  # type: ignore[attr-defined]
                raise

    def _append_to_chain(self, cursor: Any, events: Sequence[Event], labels: Labels) -> None:
        if not events:
            return
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        if self.chain is not None and (head.seq, head.hash) != (self.chain.seq, self.chain.hash):
            raise RuntimeError(
                "The audit chain moved while the bulk seeder was writing (another writer?)."
            )
        chain = Chain(head.seq, head.hash or GENESIS_HASH)
        rows = chain_events(events, chain, self.clock, labels)
        self._copy(cursor, AUDIT_TABLE, rows)
        head.seq, head.hash = chain.seq, chain.hash
        head.save(update_fields=["seq", "hash"])
        self.chain = chain

    def _save_counters(self, counters: dict[int, int]) -> None:
        for year, last in counters.items():
            CaseReferenceCounter.objects.update_or_create(year=year, defaults={"last_number": last})

    # --- deferred indexes and foreign keys -----------------------------------------------

    def deferrable_ddl(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """The written tables' secondary indexes and foreign keys, as ``(drop, create)``
        statements: what a restore of a database dump builds after its data.

        Primary keys, unique constraints and unique indexes stay (they decide what may be
        written); check constraints and the guard triggers stay too, and so does the index
        the guard looks up each written row's audit record with (``audit_txid``).
        """
        names = [t.name for t in [*self.tables, AUDIT_TABLE, ACCESS_TABLE]]
        with self.connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT quote_ident(ci.relname), pg_get_indexdef(i.indexrelid)
                  FROM pg_index i
                  JOIN pg_class ci ON ci.oid = i.indexrelid
                  JOIN pg_class ct ON ct.oid = i.indrelid
                 WHERE ct.relname = ANY(%s) AND ct.relnamespace = 'public'::regnamespace
                   AND NOT i.indisprimary AND NOT i.indisunique AND ci.relname <> 'audit_txid'
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                 ORDER BY ct.relname, ci.relname
                """,
                [names],
            )
            indexes = [(f"DROP INDEX {name}", ddl) for name, ddl in cursor.fetchall()]
            cursor.execute(
                """
                SELECT quote_ident(ct.relname), quote_ident(c.conname), pg_get_constraintdef(c.oid)
                  FROM pg_constraint c
                  JOIN pg_class ct ON ct.oid = c.conrelid
                 WHERE ct.relname = ANY(%s) AND ct.relnamespace = 'public'::regnamespace
                   AND c.contype = 'f'
                 ORDER BY ct.relname, c.conname
                """,
                [names],
            )
            foreign_keys = [
                (
                    f"ALTER TABLE {table} DROP CONSTRAINT {name}",
                    f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}",
                )
                for table, name, definition in cursor.fetchall()
            ]
        return indexes, foreign_keys

    @contextmanager
    def deferred_indexes(self, progress: Callable[[str], None] | None = None) -> Iterator[None]:
        """Load without the secondary indexes and foreign keys, then build them again.

        Inserting into a b-tree row by row and checking each foreign key row by row is
        most of PostgreSQL's work in a bulk load; building an index by sorting and
        validating a foreign key with one join are a fraction of it. The rebuild runs
        even when the load fails, so the schema is always whole again afterwards, and
        adding a foreign key validates every loaded row.
        """
        if self.vendor != "postgresql":
            yield
            return
        indexes, foreign_keys = self.deferrable_ddl()
        with transaction.atomic(using=self.alias), self.connection.cursor() as cursor:
            for drop, _ in [*foreign_keys, *indexes]:
                cursor.execute(drop)
        if progress is not None:
            progress(
                f"  {len(indexes)} secondary indexes and {len(foreign_keys)} foreign keys "
                "set aside for the load; they are built again at the end"
            )
        try:
            yield
        finally:
            self._rebuild(indexes, foreign_keys, progress)

    def _rebuild(
        self,
        indexes: list[tuple[str, str]],
        foreign_keys: list[tuple[str, str]],
        progress: Callable[[str], None] | None,
    ) -> None:
        """Build the indexes, add the foreign keys back and check every row against them.

        Each statement commits on its own, so one that fails leaves the rest in place. A
        foreign key is added ``NOT VALID`` first (it then holds for every new row at once)
        and validated after: a loaded row that breaks it leaves it unvalidated and named
        in the error, never missing.
        """
        started = time.monotonic()
        broken: list[str] = []
        with self.connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            try:
                for _, create in indexes:
                    cursor.execute(create)
                for _, create in foreign_keys:
                    cursor.execute(f"{create} NOT VALID")
                for drop, _ in foreign_keys:
                    table, name = drop.split()[2], drop.split()[-1]
                    try:
                        with transaction.atomic(using=self.alias):
                            cursor.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {name}")
                    except IntegrityError:
                        broken.append(f"{table}.{name}")
            finally:
                cursor.execute("RESET maintenance_work_mem")
        if broken:
            raise IntegrityError(
                "Rows of the bulk load break these foreign keys (left NOT VALID): "
                + ", ".join(broken)
            )
        if progress is not None:
            progress(
                f"  indexes and foreign keys built again and checked in "
                f"{time.monotonic() - started:.1f} s"
            )

    def analyse(self) -> None:
        """Refresh the planner statistics of the written tables (PostgreSQL)."""
        if self.vendor != "postgresql":
            return
        with self.connection.cursor() as cursor:
            for table in [*self.tables, AUDIT_TABLE, ACCESS_TABLE]:
                cursor.execute(f"ANALYZE {table.name}")


class ThreadedSink:
    """Writes batches on a thread of its own (with its own connection), one at a time
    and in order, while the caller generates the next batch: the database and Python
    then each keep a core busy."""

    def __init__(self, writer: BulkWriter, labels: Labels) -> None:
        self.writer = writer
        self.labels = labels
        self.queue: queue.Queue[Batch | None] = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._work, name="vejud-bulk-writer", daemon=True)
        self.thread.start()

    def _work(self) -> None:
        try:
            while (batch := self.queue.get()) is not None:
                if self.error is None:
                    try:
                        self.writer.flush(batch, self.labels)
                    except BaseException as exc:  # handed to the generating thread
                        self.error = exc
        finally:
            connections[self.writer.alias].close()

    def put(self, batch: Batch) -> None:
        self._raise()
        self.queue.put(batch)

    def close(self) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()
        self._raise()

    def _raise(self) -> None:
        if self.error is not None:
            raise RuntimeError("The bulk writer failed.") from self.error
