"""Database-level guarantees for the audit trail.

* Guarded tables (person and case data) refuse a change that is committed without an
  audit record in the same transaction, whichever code path or connection makes it.
  PostgreSQL: a deferred constraint trigger on each guarded table checks, at commit, that
  ``audit_auditevent`` holds a record with the transaction's id (``txid``, set by a
  trigger on insert, never by the client). Nothing a session can set switches it off:
  the old session variable ``vejud.audit_scope`` means nothing any more, and only the
  tables' owner (the migration role, not the application's role) could drop or disable
  the triggers. The audit scope (``audit.services.audited``) also refuses to close
  without at least one audit record, so the application fails early and clearly.
  SQLite (demo, tests): an application function registered on each connection, checked
  by triggers; a connection without it (e.g. the sqlite3 shell) cannot write.
* Append-only tables (audit events, access log) refuse UPDATE and DELETE.

Triggers are (re)installed after every ``migrate`` for every registered model,
so a migration that rebuilds a table on SQLite cannot silently drop them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

GUARDED_MODELS: list[type[models.Model]] = []
APPEND_ONLY_MODELS: list[type[models.Model]] = []
SIGNED_IMMUTABLE_MODELS: list[type[models.Model]] = []

M = TypeVar("M", bound=type[models.Model])

MODE_CLOSED = 0
MODE_AUDIT_SCOPE = 1
MODE_MAINTENANCE = 2

# The guard's names are schema-qualified and its search_path fixed, so a session cannot
# shadow the audit table with a temporary table of its own.
PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION vejud_require_audit_record() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM {schema}.audit_auditevent WHERE txid = pg_catalog.txid_current()
  ) THEN
    RAISE EXCEPTION 'vejud: % on % outside an audit scope (no audit record in this transaction)',
      TG_OP, TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION vejud_audit_txid() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  NEW.txid := pg_catalog.txid_current();
  RETURN NEW;
END $$;
DROP FUNCTION IF EXISTS vejud_require_audit_scope() CASCADE;
CREATE OR REPLACE FUNCTION vejud_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'vejud: % is append-only (% refused)', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE OR REPLACE FUNCTION vejud_signed_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Anonymisation under a retention rule may blank a signed row's text (the signature stays);
  -- nothing else changes a signed row, and nothing deletes one (vejud.audit.guard.anonymising).
  IF OLD.signed_at IS NOT NULL AND TG_OP = 'UPDATE'
     AND pg_catalog.current_setting('vejud.anonymising', true) = 'on'
     AND NEW.signed_at IS NOT DISTINCT FROM OLD.signed_at THEN
    RETURN NEW;
  END IF;
  IF OLD.signed_at IS NOT NULL THEN
    RAISE EXCEPTION 'vejud: % row % is signed and cannot change', TG_TABLE_NAME, OLD.id
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END $$;
"""


# PostgreSQL: the row triggers on the append-only and signed tables, each named after the
# function it calls (the guarded tables' deferred constraint trigger is made apart).
_PG_ROW_TRIGGERS = (
    (APPEND_ONLY_MODELS, "vejud_append_only"),
    (SIGNED_IMMUTABLE_MODELS, "vejud_signed_immutable"),
)


@dataclass(frozen=True)
class _SqliteTriggers:
    """SQLite: one trigger for each of ``ops`` on each table of ``models``, aborting the
    statement with ``message`` when ``when`` holds."""

    models: list[type[models.Model]]
    prefix: str
    ops: tuple[str, ...]
    when: str
    message: str

    def name(self, table: str, op: str) -> str:
        return f"{self.prefix}_{table}_{op.lower()}"


_SQLITE_TRIGGERS = (
    _SqliteTriggers(
        GUARDED_MODELS,
        "vejud_guard",
        ("INSERT", "UPDATE", "DELETE"),
        "vejud_write_mode() = 0",
        "write outside an audit scope",
    ),
    _SqliteTriggers(
        APPEND_ONLY_MODELS,
        "vejud_append_only",
        ("UPDATE", "DELETE"),
        "vejud_write_mode() < 2",
        "append-only table",
    ),
    _SqliteTriggers(
        SIGNED_IMMUTABLE_MODELS,
        "vejud_signed",
        ("UPDATE", "DELETE"),
        "OLD.signed_at IS NOT NULL AND vejud_write_mode() < 2",
        "signed and cannot change",
    ),
)


def guarded(model: M) -> M:
    """Register ``model`` so its table refuses writes outside an audit scope."""
    GUARDED_MODELS.append(model)
    return model


def append_only(model: M) -> M:
    """Register ``model`` so its table refuses UPDATE and DELETE."""
    APPEND_ONLY_MODELS.append(model)
    return model


def signed_immutable(model: M) -> M:
    """Register ``model`` so a row whose ``signed_at`` is set can no longer change or go."""
    SIGNED_IMMUTABLE_MODELS.append(model)
    return model


def set_write_mode(connection: BaseDatabaseWrapper, mode: int) -> None:
    """Open or close the audit scope for this transaction on SQLite.

    PostgreSQL needs nothing: its guard looks for the transaction's audit record at commit.
    """
    if connection.vendor != "postgresql":
        connection.vejud_write_mode = mode  # type: ignore[attr-defined]


@contextmanager
def anonymising() -> Iterator[None]:
    """Inside an audit scope, let signed rows be updated (never deleted) while a person's
    records are anonymised under a retention rule (vejud.privacy): the one sanctioned change
    to a signed instrument. PostgreSQL: a transaction-local setting the signed-row trigger
    reads, and the signature itself must stay. SQLite (the demo): the maintenance mode."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_catalog.set_config('vejud.anonymising', 'on', true)")
        try:
            yield
        finally:
            if not connection.needs_rollback:  # else the rollback ends the setting with it
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_catalog.set_config('vejud.anonymising', 'off', true)")
        return
    previous = getattr(connection, "vejud_write_mode", MODE_CLOSED)
    connection.vejud_write_mode = MODE_MAINTENANCE
    try:
        yield
    finally:
        connection.vejud_write_mode = previous


def _register_sqlite_function(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if connection.vendor != "sqlite":
        return
    wrapper = connection
    connection.connection.create_function(
        "vejud_write_mode", 0, lambda: getattr(wrapper, "vejud_write_mode", MODE_CLOSED)
    )


connection_created.connect(_register_sqlite_function, dispatch_uid="vejud_sqlite_guard")


def install_triggers(connection: BaseDatabaseWrapper) -> None:
    """Create (or re-create) the guard and append-only triggers for all registered models."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT quote_ident(current_schema())")
            (schema,) = cursor.fetchone()
            cursor.execute(PG_FUNCTIONS.replace("{schema}", schema))
            cursor.execute(
                "CREATE OR REPLACE TRIGGER vejud_audit_txid BEFORE INSERT ON audit_auditevent"
                " FOR EACH ROW EXECUTE FUNCTION vejud_audit_txid()"
            )
            for model in GUARDED_MODELS:
                table = connection.ops.quote_name(model._meta.db_table)
                # Constraint triggers cannot be replaced in place.
                cursor.execute(f"DROP TRIGGER IF EXISTS vejud_audit_guard ON {table}")
                cursor.execute(
                    f"CREATE CONSTRAINT TRIGGER vejud_audit_guard AFTER INSERT OR UPDATE OR DELETE"
                    f" ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
                    " EXECUTE FUNCTION vejud_require_audit_record()"
                )
            for registered, name in _PG_ROW_TRIGGERS:  # each trigger calls its namesake
                for model in registered:
                    table = connection.ops.quote_name(model._meta.db_table)
                    cursor.execute(
                        f"CREATE OR REPLACE TRIGGER {name} BEFORE UPDATE OR DELETE"
                        f" ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()"
                    )
        elif connection.vendor == "sqlite":
            for kind in _SQLITE_TRIGGERS:
                for model in kind.models:
                    table = model._meta.db_table
                    for op in kind.ops:
                        cursor.execute(
                            f'CREATE TRIGGER IF NOT EXISTS "{kind.name(table, op)}"'
                            f' BEFORE {op} ON "{table}" WHEN {kind.when}'
                            f" BEGIN SELECT RAISE(ABORT, 'vejud: {kind.message}'); END"
                        )
        else:  # pragma: no cover - only PostgreSQL and SQLite are supported
            raise RuntimeError(f"Unsupported database vendor {connection.vendor}")


def missing_triggers(connection: BaseDatabaseWrapper) -> list[str]:
    """Return the registered tables whose guard or append-only trigger is missing."""
    missing: list[str] = []
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " WHERE t.tgname IN ('vejud_audit_guard', 'vejud_append_only',"
                " 'vejud_signed_immutable', 'vejud_audit_txid')"
                " AND t.tgenabled <> 'D' AND (t.tgname <> 'vejud_audit_guard' OR t.tgdeferrable)"
            )
            present = {(row[0], row[1]) for row in cursor.fetchall()}
            if ("audit_auditevent", "vejud_audit_txid") not in present:
                missing.append("audit_auditevent")
            for registered, name in ((GUARDED_MODELS, "vejud_audit_guard"), *_PG_ROW_TRIGGERS):
                missing += [
                    m._meta.db_table for m in registered if (m._meta.db_table, name) not in present
                ]
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            present_names = {row[0] for row in cursor.fetchall()}
            for kind in _SQLITE_TRIGGERS:
                missing += [
                    m._meta.db_table
                    for m in kind.models
                    if not all(kind.name(m._meta.db_table, op) in present_names for op in kind.ops)
                ]
    # A table not created yet (before the first migrate) gets its triggers after migrate.
    return [table for table in missing if table in existing]
