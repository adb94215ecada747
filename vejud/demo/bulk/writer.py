"""Writing generated rows: COPY on PostgreSQL, ``executemany`` on SQLite.

Rows arrive as plain tuples in each table's column order. Ids come from the
tables' own sequences (PostgreSQL: blocks of ``nextval``; SQLite: after the
largest id, inside the caller's transaction). Every flush is one transaction
that opens the audit scope exactly as ``audited()`` does, writes the rows in
dependency order, appends the flush's audit events to the hash chain under the
chain-head lock, and closes the scope again, so every batch's rows have their audit
records in their own transaction.

A large load on PostgreSQL (``deferred_indexes``, ``triggers_set_aside``) works as a
restore does (``pg_restore --disable-triggers``): the per-row triggers that the load makes
redundant are set aside for it and their rule is checked set-based afterwards, failing
loudly if it does not hold; the triggers are back even when the load fails.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import multiprocessing
import os
import pickle
import queue
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
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
from vejud.core.crypto import encrypt_text
from vejud.statistics.triggers import TRIGGER_NAMES as STATISTICS_TRIGGERS

# The audit guard's deferred per-row check (vejud.audit.guard.install_triggers).
GUARD_TRIGGER = "vejud_audit_guard"
XID_SPAN = 2**32  # a row's xmin is the low 32 bits of its transaction's txid_current()

# For building the deferred indexes: one sort in memory per index of the largest tables.
MAINTENANCE_WORK_MEM = "512MB"

EPOCH = date(1970, 1, 1).toordinal()
US = 1_000_000
DAY_US = 86_400 * US


def _canonical_encoder() -> Callable[[Any], str]:
    """``json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode``
    with its C encoder made once instead of at every call: the same text, without the
    setup that was most of the time of encoding the generator's small payloads (a tenth of
    the generator's time). Without the circular check, which the generator's plain
    dicts and lists of strings and numbers do not need."""
    encoder = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython has the C encoder
        return encoder.encode
    encode_string = json.encoder.encode_basestring
    chunks = make(None, encoder.default, encode_string, None, ":", ",", True, False, True)
    join = "".join

    def encode(value: Any) -> str:
        if isinstance(value, str):
            return encode_string(value)
        return join(chunks(value, 0))

    return encode


# The canonical JSON of the audit chain (see audit.services.event_payload).
canonical_json: Callable[[Any], str] = _canonical_encoder()


@dataclass(frozen=True)
class Table:
    """A table written in bulk: its model and the columns each row tuple holds, in order.

    The ``encrypted`` columns come in plain text and are encrypted as the rows are written
    (``encrypt_text``; an empty value stays empty): the writer process does it beside the
    generator instead of the generator (the plain values go over the pipe to the writer,
    the generator's own child process, and no further)."""

    model: type[models.Model]
    columns: tuple[str, ...]
    encrypted: tuple[str, ...] = ()
    name: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", self.model._meta.db_table)

    def encrypt(self, rows: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """The rows with their ``encrypted`` columns encrypted."""
        positions = [self.columns.index(column) for column in self.encrypted]
        encrypted = []
        for row in rows:
            values = list(row)
            for position in positions:
                if values[position]:
                    values[position] = encrypt_text(values[position])
            encrypted.append(tuple(values))
        return encrypted

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


def _index_table(create: str) -> str:
    """The table of a ``CREATE INDEX name ON public.table USING ...`` statement."""
    return create.split(" ON ", 1)[1].split()[0].removeprefix("public.").strip('"')


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
        # While the triggers are set aside: the transaction id of every batch written.
        self.load_txids: list[int] | None = None

    @property
    def all_tables(self) -> list[Table]:
        return [*self.tables, AUDIT_TABLE, ACCESS_TABLE]

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
        if table.encrypted:
            rows = table.encrypt(rows)
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
        """Write one batch in one transaction inside an audit scope.

        Inside a caller's transaction the rows are written in it, not in a savepoint: a
        row's ``xmin`` is then the transaction's own id, whose audit records
        ``check_audited`` looks for (a savepoint's rows carry the savepoint's id)."""
        connection = self.connection
        with transaction.atomic(using=connection.alias, savepoint=False):
            set_write_mode(connection, MODE_AUDIT_SCOPE)
            try:
                with connection.cursor() as cursor:
                    if self.vendor == "postgresql":
                        # Demo data: losing the last batches in a crash is harmless.
                        cursor.execute("SET LOCAL synchronous_commit = off")
                        if self.load_txids is not None:
                            cursor.execute("SELECT txid_current()")
                            self.load_txids.append(cursor.fetchone()[0])
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
    def deferred_indexes(
        self,
        progress: Callable[[str], None] | None = None,
        during: Callable[[], None] | None = None,
    ) -> Iterator[None]:
        """Load without the secondary indexes and foreign keys, then build them again.

        Inserting into a b-tree row by row and checking each foreign key row by row is
        most of PostgreSQL's work in a bulk load; building an index by sorting and
        validating a foreign key with one join are a fraction of it. The rebuild runs
        even when the load fails, so the schema is always whole again afterwards, and
        adding a foreign key validates every loaded row.

        ``during`` (after a load that succeeded) runs on a thread of its own, with its own
        connection, while the indexes are built (the statistics' recounts), and the
        planner statistics are gathered once the indexes are (``_rebuild``).
        """
        if self.vendor != "postgresql":
            yield
            if during is not None:
                during()
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
        except BaseException:
            self._rebuild(indexes, foreign_keys, progress)
            raise
        self._rebuild(indexes, foreign_keys, progress, during)

    def _rebuild(
        self,
        indexes: list[tuple[str, str]],
        foreign_keys: list[tuple[str, str]],
        progress: Callable[[str], None] | None,
        during: Callable[[], None] | None = None,
    ) -> None:
        """Build the indexes, add the foreign keys back and check every row against them.

        Each statement commits on its own, so one that fails leaves the rest in place. A
        foreign key is added ``NOT VALID`` first (it then holds for every new row at once)
        and validated after: a loaded row that breaks it leaves it unvalidated and named
        in the error, never missing.

        Two connections share the work, each taking the next statement when it is done:
        first the indexes, the largest tables' first (one connection builds from the
        start, the other runs ``during`` first, after a load that succeeded), then the
        keys' checks and, after a load that succeeded, the planner statistics (ANALYZE).
        The keys are added before ``during`` starts and validated after it has ended: the
        statistics hold share locks on their source tables for a whole transaction, which
        building an index (a share lock too) does not conflict with, but validating does.
        """
        started = time.monotonic()
        broken: list[str] = []
        pending: deque[str] = deque()

        def run_pending() -> None:
            with self.connection.cursor() as cursor:
                cursor.execute(f"SET maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
                while True:
                    try:
                        statement = pending.popleft()
                    except IndexError:
                        return
                    if not statement.startswith("ALTER TABLE"):
                        cursor.execute(statement)
                        continue
                    try:
                        with transaction.atomic(using=self.alias):
                            cursor.execute(statement)
                    except IntegrityError:
                        table, name = statement.split()[2], statement.split()[-1]
                        broken.append(f"{table}.{name}")

        def on_two(first: Callable[[], None] | None = None) -> None:
            """Run the pending statements on this connection and a second one."""

            def second() -> None:
                if first is not None:
                    first()
                run_pending()

            worker = Worker(second, self.alias)
            try:
                run_pending()
            except BaseException:  # (its error comes first; the other ends its statement)
                pending.clear()
                worker.thread.join()
                raise
            worker.join()

        with self.connection.cursor() as cursor:
            for _, create in foreign_keys:
                cursor.execute(f"{create} NOT VALID")
        pending.extend(self._largest_first(indexes))
        try:
            on_two(during)
        finally:
            # The keys are checked even when an index failed (its error comes first).
            built = time.monotonic()
            for drop, _ in foreign_keys:
                table, name = drop.split()[2], drop.split()[-1]
                pending.append(f"ALTER TABLE {table} VALIDATE CONSTRAINT {name}")
            if during is not None:
                pending.extend(f"ANALYZE {table.name}" for table in self.all_tables)
            on_two()
            with self.connection.cursor() as cursor:
                cursor.execute("RESET maintenance_work_mem")
        if broken:
            raise IntegrityError(
                "Rows of the bulk load break these foreign keys (left NOT VALID): "
                + ", ".join(sorted(broken))
            )
        if progress is not None:
            progress(
                f"  indexes built again in {built - started:.1f} s; foreign keys checked"
                f"{' and planner statistics gathered' if during is not None else ''} in "
                f"{time.monotonic() - built:.1f} s (two connections)"
            )

    def _largest_first(self, indexes: list[tuple[str, str]]) -> list[str]:
        """The indexes' CREATE statements, those of the largest tables first (so the two
        connections that build them end at about the same time)."""
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c"
                " WHERE c.relname = ANY(%s) AND c.relnamespace = 'public'::regnamespace",
                [[t.name for t in self.all_tables]],
            )
            sizes = dict(cursor.fetchall())
        creates = [create for _, create in indexes]
        return sorted(creates, key=lambda create: -sizes.get(_index_table(create), 0))

    # --- triggers set aside for the load -------------------------------------------------

    def redundant_triggers(self) -> list[tuple[str, str]]:
        """The enabled triggers of the written tables that a bulk load makes redundant, as
        ``(table, trigger)``: the audit guard's deferred per-row check (its rule is checked
        for every loaded row at once afterwards, ``check_audited``) and the statistics
        counters' triggers (the seeder rebuilds the counters from the rows afterwards).

        The other triggers stay: the audit record's ``txid`` is still set by its trigger,
        and the append-only and signed-row triggers fire on no insert."""
        with self.connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT c.relname, t.tgname
                  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                 WHERE c.relname = ANY(%s) AND c.relnamespace = 'public'::regnamespace
                   AND NOT t.tgisinternal AND t.tgenabled <> 'D'
                   AND (t.tgname = %s OR t.tgname = ANY(%s))
                 ORDER BY c.relname, t.tgname
                """,
                [[t.name for t in self.all_tables], GUARD_TRIGGER, list(STATISTICS_TRIGGERS)],
            )
            return [(table, name) for table, name in cursor.fetchall()]

    def _set_triggers(self, triggers: list[tuple[str, str]], state: str) -> None:
        quote = self.connection.ops.quote_name
        with transaction.atomic(using=self.alias), self.connection.cursor() as cursor:
            for table, name in triggers:
                cursor.execute(f"ALTER TABLE {quote(table)} {state} TRIGGER {quote(name)}")

    @contextmanager
    def triggers_set_aside(self, progress: Callable[[str], None] | None = None) -> Iterator[None]:
        """Load without the per-row triggers the load makes redundant (``redundant_triggers``),
        as ``pg_restore --disable-triggers`` does; then enable them again (even when the
        load fails) and check the audit guard's rule for every row written meanwhile.

        The guard runs one PL/pgSQL call and one index lookup per written row at each
        commit, about half of PostgreSQL's work in a load; the check is one scan of each
        guarded table. Only the tables' owner can do this (as with the indexes), and only
        the bulk seeder does, with DEBUG on."""
        if self.vendor != "postgresql":
            yield
            return
        triggers = self.redundant_triggers()
        with transaction.atomic(using=self.alias), self.connection.cursor() as cursor:
            cursor.execute("SELECT txid_current()")
            (began,) = cursor.fetchone()
            quote = self.connection.ops.quote_name
            for table, name in triggers:
                cursor.execute(f"ALTER TABLE {quote(table)} DISABLE TRIGGER {quote(name)}")
        self.load_txids = []
        if progress is not None:
            progress(
                f"  {len(triggers)} per-row triggers set aside for the load (the audit "
                "guard's rule is checked for every loaded row afterwards)"
            )
        try:
            yield
        finally:
            self._set_triggers(triggers, "ENABLE")
            txids, self.load_txids = self.load_txids, None
        guarded = {table for table, name in triggers if name == GUARD_TRIGGER}
        self.check_audited(began, txids, sorted(guarded), progress)

    def check_audited(
        self,
        began: int,
        txids: Sequence[int],
        tables: Sequence[str],
        progress: Callable[[str], None] | None = None,
    ) -> None:
        """Check the audit guard's rule, set-based, for every row of ``tables`` written by a
        transaction after ``began`` (a txid): the transaction that wrote the row (its
        ``xmin``) has an audit record (``audit_auditevent.txid``). Raise IntegrityError
        naming each table with rows that break it.

        ``txids`` are the load's batches: those with audit records are looked up once; any
        other row's transaction is looked up by its full txid (the row is younger than
        ``began``, so its 64-bit txid follows from ``began`` and its 32-bit ``xmin``). A row
        written inside a savepoint has the savepoint's xid and fails the check: the load
        writes none, so only a write by another session during the load could.
        """
        started = time.monotonic()
        quote = self.connection.ops.quote_name
        broken: list[str] = []
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(array_agg(x), '{}') FROM unnest(%s::bigint[]) x"
                " WHERE EXISTS (SELECT 1 FROM audit_auditevent a WHERE a.txid = x)",
                [list(txids)],
            )
            audited = [txid % XID_SPAN for txid in cursor.fetchone()[0]]
            for table in tables:
                cursor.execute(
                    f"SELECT count(*) FROM {quote(table)} t"  # noqa: S608
                    " WHERE age(t.xmin) < age(%s::text::xid)"
                    " AND NOT (t.xmin::text::bigint = ANY(%s::bigint[]))"
                    " AND NOT EXISTS (SELECT 1 FROM audit_auditevent a WHERE a.txid ="
                    " %s + (t.xmin::text::bigint - %s + %s) %% %s)",
                    [
                        str(began % XID_SPAN),
                        audited,
                        began,
                        began % XID_SPAN,
                        XID_SPAN,
                        XID_SPAN,
                    ],
                )
                (count,) = cursor.fetchone()
                if count:
                    broken.append(f"{table} ({count:,} rows)")
        if broken:
            raise IntegrityError(
                "Rows of the bulk load were written without an audit record in their "
                "transaction: " + ", ".join(broken)
            )
        if progress is not None:
            progress(
                f"  the triggers are back; every row of {len(tables)} guarded tables written "
                f"by the load has its audit record ({time.monotonic() - started:.1f} s)"
            )

    def analyse(self) -> None:
        """Refresh the planner statistics of the written tables (PostgreSQL)."""
        if self.vendor != "postgresql":
            return
        with self.connection.cursor() as cursor:
            for table in self.all_tables:
                cursor.execute(f"ANALYZE {table.name}")


class Worker:
    """Runs ``work`` on a thread of its own with its own connection (closed at the end)."""

    def __init__(self, work: Callable[[], None], alias: str) -> None:
        self.work = work
        self.alias = alias
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="vejud-bulk-worker", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.work()
        except BaseException as exc:  # handed to the thread that joins
            self.error = exc
        finally:
            connections[self.alias].close()

    def join(self) -> None:
        self.thread.join()
        if self.error is not None:
            raise RuntimeError("The bulk seeder's work beside the index build failed.") from (
                self.error
            )


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


class ProcessSink:
    """Writes batches in a process of its own (forked, with its own connection), one at a
    time and in order, while the caller generates the next batch.

    A writer thread shares the interpreter lock with the generator: the rows' COPY
    encoding and the audit chain's hashing then take turns with generating, and PostgreSQL
    waits on both. A forked process runs them beside the generator. A batch goes over a
    pipe (pickled) and the caller waits to send the next until the writer has taken it,
    so at most one batch is written while one is generated, as with the thread. After
    each batch the writer sends back its counts, the chain head and the batch's txid."""

    def __init__(self, writer: BulkWriter, labels: Labels) -> None:
        self.writer = writer
        self.labels = labels
        self.error: str | None = None
        self.closed = False
        context = multiprocessing.get_context("fork")
        batches_in, self.batches = context.Pipe(duplex=False)  # (receiving, sending) ends
        self.results, results_out = context.Pipe(duplex=False)
        self.process = context.Process(
            target=self._work, args=(batches_in, results_out), name="vejud-bulk-writer"
        )
        self.process.start()
        batches_in.close()  # the child's ends: the parent sees EOF when the child is gone
        results_out.close()

    def _work(self, batches: Any, results: Any) -> None:  # pragma: no cover - in the child
        # The parent's connections came along with the fork: forget them unclosed (closing
        # one would end the parent's session) and keep them from being collected.
        inherited = []
        for connection in connections.all(initialized_only=True):
            inherited.append(connection.connection)
            connection.connection = None
        self.batches.close()  # the parent's ends
        self.results.close()
        failed = False
        try:
            while data := batches.recv_bytes():
                if failed:
                    continue  # drain, so the parent never waits on a full pipe
                try:
                    self.writer.flush(pickle.loads(data), self.labels)  # noqa: S301
                except BaseException:
                    failed = True
                    results.send(("error", traceback.format_exc()))
                    continue
                chain, txids = self.writer.chain, self.writer.load_txids
                results.send(
                    (
                        "done",
                        (
                            dict(self.writer.written),
                            None if chain is None else (chain.seq, chain.hash),
                            None if txids is None else list(txids),
                        ),
                    )
                )
        finally:
            connections[self.writer.alias].close()
            inherited.clear()

    def _drain(self, *, wait: bool = False) -> None:
        """Take the writer's reports (all of them until it has ended, with ``wait``)."""
        while wait or self.results.poll():
            try:
                kind, payload = self.results.recv()
            except EOFError:
                return
            if kind == "error":
                self.error = payload
                continue
            written, chain, txids = payload
            self.writer.written.update(written)
            if chain is not None:
                self.writer.chain = Chain(*chain)
            if txids is not None and self.writer.load_txids is not None:
                self.writer.load_txids[:] = txids

    def put(self, batch: Batch) -> None:
        self._drain()
        self._raise()
        try:
            self.batches.send_bytes(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:  # the writer is gone: its report says why
            self.close()
            raise

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            with suppress(OSError):
                self.batches.send_bytes(b"")
            self.batches.close()
            self._drain(wait=True)
            self.process.join()
            self.results.close()
        self._raise()
        if self.process.exitcode:
            raise RuntimeError(f"The bulk writer ended with exit code {self.process.exitcode}.")

    def _raise(self) -> None:
        if self.error is not None:
            raise RuntimeError(f"The bulk writer failed:\n{self.error}")


Sink = ThreadedSink | ProcessSink


def make_sink(writer: BulkWriter, labels: Labels) -> Sink:
    """A writer process where processes can be forked (Linux), else a writer thread."""
    if "fork" in multiprocessing.get_all_start_methods() and not os.environ.get(
        "VEJUD_BULK_WRITER_THREAD"
    ):
        return ProcessSink(writer, labels)
    return ThreadedSink(writer, labels)
