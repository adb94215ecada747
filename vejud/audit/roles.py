"""The application's database role: rows only, never the tables (PostgreSQL).

The schema belongs to the owner role that runs ``migrate`` (``VEJUD_MIGRATE_DATABASE_URL``).
The application's role gets what serving requests needs and nothing that could rewrite the
trail unnoticed: ``SELECT, INSERT, UPDATE, DELETE`` on the tables, only ``SELECT, INSERT`` on
the append-only ones (the audit trail, the access log, the pool's ledgers), ``USAGE, SELECT``
on the sequences. No ``TRUNCATE`` (it fires no row trigger), no ``TRIGGER``, no ``REFERENCES``,
and not the owner, so no ``ALTER TABLE`` (it cannot disable or drop the audit guard).

``grant_app_role`` is idempotent: it revokes everything on the schema's tables and grants
exactly that again, and sets the owner's default privileges so a table a later ``migrate``
creates is usable at once; ``migrate`` run as the owner calls it again at the end
(``VEJUD_APP_DB_ROLE``), which also narrows a new append-only table.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from vejud.audit.guard import APPEND_ONLY_MODELS

ROW_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE")
APPEND_ONLY_PRIVILEGES = ("SELECT", "INSERT")
FORBIDDEN_PRIVILEGES = ("TRUNCATE", "TRIGGER", "REFERENCES")


class RoleError(Exception):
    """The role cannot be made the application's role (missing, superuser, owner...)."""


def _refusals(connection: BaseDatabaseWrapper, role: str) -> list[str]:
    """Why ``role`` cannot serve as a restricted application role (empty: it can)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolbypassrls, pg_has_role(%s, current_user, 'USAGE')"
            " FROM pg_roles WHERE rolname = %s",
            [role, role],
        )
        row = cursor.fetchone()
        if row is None:
            return [f"role {role} does not exist (CREATE ROLE {role} LOGIN PASSWORD '...')"]
        superuser, bypassrls, owner_member = row
        refusals = []
        if superuser or bypassrls:
            refusals.append(f"role {role} is a superuser or bypasses row security")
        if owner_member:
            refusals.append(
                f"role {role} is, or is a member of, the owner {connection_user(connection)}"
            )
        cursor.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND r.rolname = %s",
            [role],
        )
        (owned,) = cursor.fetchone()
        if owned:
            refusals.append(f"role {role} owns {owned} relations of the schema")
    return refusals


def connection_user(connection: BaseDatabaseWrapper) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (user,) = cursor.fetchone()
    return str(user)


def _append_only_tables(connection: BaseDatabaseWrapper) -> list[str]:
    existing = set(connection.introspection.table_names())
    return sorted({m._meta.db_table for m in APPEND_ONLY_MODELS} & existing)


def grant_app_role(connection: BaseDatabaseWrapper, role: str) -> None:
    """Give ``role`` exactly the application's rights on the current schema (as its owner)."""
    if connection.vendor != "postgresql":
        raise RoleError("database roles are for PostgreSQL")
    refusals = _refusals(connection, role)
    if refusals:
        raise RoleError("; ".join(refusals))
    quote = connection.ops.quote_name
    who = quote(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        (schema,) = cursor.fetchone()
        statements = [
            f"GRANT USAGE ON SCHEMA {schema} TO {who}",
            f"REVOKE CREATE ON SCHEMA {schema} FROM {who}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {who}",
            f"GRANT {', '.join(ROW_PRIVILEGES)} ON ALL TABLES IN SCHEMA {schema} TO {who}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {who}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {who}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema}"
            f" GRANT {', '.join(ROW_PRIVILEGES)} ON TABLES TO {who}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {who}",
        ]
        append_only = _append_only_tables(connection)
        if append_only:
            tables = ", ".join(quote(table) for table in append_only)
            statements.append(f"REVOKE UPDATE, DELETE ON {tables} FROM {who}")
        for statement in statements:
            cursor.execute(statement)


def app_role_problems(connection: BaseDatabaseWrapper, role: str) -> list[str]:
    """What is wrong with ``role``'s rights on the current schema (empty: exactly as granted)."""
    if connection.vendor != "postgresql":
        return ["database roles are for PostgreSQL"]
    problems = _refusals(connection, role)
    if problems:
        return problems
    append_only = set(_append_only_tables(connection))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, p.privilege, has_table_privilege(%s, c.oid, p.privilege)"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " CROSS JOIN unnest(%s::text[]) AS p(privilege)"
            " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
            " ORDER BY c.relname",
            [role, [*ROW_PRIVILEGES, *FORBIDDEN_PRIVILEGES]],
        )
        for table, privilege, held in cursor.fetchall():
            wanted = APPEND_ONLY_PRIVILEGES if table in append_only else ROW_PRIVILEGES
            if held and privilege not in wanted:
                problems.append(f"{role} may {privilege} {table}")
            elif not held and privilege in wanted:
                problems.append(f"{role} may not {privilege} {table}")
    return problems
