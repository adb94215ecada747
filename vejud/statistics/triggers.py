# ruff: noqa: S608  (SQL assembled from this module's constants only; no input reaches it)
"""The triggers that keep the statistics counters equal to the data.

PostgreSQL: statement-level AFTER triggers with transition tables. One statement
that touches many rows (a bulk INSERT, a COPY, a mass UPDATE) adds its changes
to the counters in one aggregated upsert per counter table, so a bulk load pays
once per statement, not once per row. Each upsert takes its counter rows in key
order, so two transactions moving cases in opposite directions cannot deadlock
on the counters.

SQLite: row-level triggers (SQLite has no statement triggers).

A counter goes down through the same upsert on PostgreSQL and through an UPDATE
on SQLite, so a flush that empties the counters before the cases (SQLite
flushes with DELETE, table by table) leaves no negative rows behind.
PostgreSQL flushes with TRUNCATE, which fires none of these triggers and empties
the counters with the data.

Installed after every ``migrate`` (``StatisticsConfig.ready``), like the audit
guard's triggers.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from vejud.core.triggers import installed_triggers

CASE_TABLE = "cases_case"
WARNING_TABLE = "followup_earlywarning"
CASE_COLUMNS = "responsible_unit_id, track, status, opened_on, course_started_on, closed_on"

# Month events: (event, source column). ``opened_on`` is never NULL.
MONTH_EVENTS = (("opened", "opened_on"), ("admitted", "course_started_on"), ("ended", "closed_on"))


def _pg_month(column: str) -> str:
    return f"date_trunc('month', {column})::date"


def _sqlite_month(column: str) -> str:
    return f"date({column}, 'start of month')"


def _pg_case_body(delta: str) -> str:
    months = " UNION ALL ".join(
        f"SELECT {_pg_month(column)} AS month, track, '{event}' AS event, d"
        f" FROM ({delta}) x WHERE {column} IS NOT NULL"
        for event, column in MONTH_EVENTS
    )
    return f"""
  INSERT INTO statistics_casecount AS c (unit_id, track, status, n)
  SELECT responsible_unit_id, track, status, sum(d) FROM ({delta}) x
  GROUP BY 1, 2, 3 HAVING sum(d) <> 0 ORDER BY 1, 2, 3
  ON CONFLICT (unit_id, track, status) DO UPDATE SET n = c.n + EXCLUDED.n;
  INSERT INTO statistics_monthcount AS c (month, track, event, n)
  SELECT month, track, event, sum(d) FROM ({months}) m
  GROUP BY 1, 2, 3 HAVING sum(d) <> 0 ORDER BY 1, 2, 3
  ON CONFLICT (month, track, event) DO UPDATE SET n = c.n + EXCLUDED.n;"""


def _pg_warning_body(delta: str) -> str:
    return f"""
  INSERT INTO statistics_tally AS c (name, n)
  SELECT 'open_early_warnings', sum(d) FROM ({delta}) x WHERE resolved_at IS NULL
  HAVING sum(d) <> 0
  ON CONFLICT (name) DO UPDATE SET n = c.n + EXCLUDED.n;"""


def _pg_function(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN{body}\n  RETURN NULL;\nEND $$;"
    )


_CASE_NEW = f"SELECT {CASE_COLUMNS}, 1 AS d FROM new_rows"
_CASE_OLD = f"SELECT {CASE_COLUMNS}, -1 AS d FROM old_rows"
_WARN_NEW = "SELECT resolved_at, 1 AS d FROM new_rows"
_WARN_OLD = "SELECT resolved_at, -1 AS d FROM old_rows"

# (trigger/function name, table, event, REFERENCING clause, body)
PG_TRIGGERS = (
    (
        "vejud_stats_case_insert",
        CASE_TABLE,
        "INSERT",
        "NEW TABLE AS new_rows",
        _pg_case_body(_CASE_NEW),
    ),
    (
        "vejud_stats_case_update",
        CASE_TABLE,
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        _pg_case_body(f"{_CASE_OLD} UNION ALL {_CASE_NEW}"),
    ),
    (
        "vejud_stats_case_delete",
        CASE_TABLE,
        "DELETE",
        "OLD TABLE AS old_rows",
        _pg_case_body(_CASE_OLD),
    ),
    (
        "vejud_stats_warning_insert",
        WARNING_TABLE,
        "INSERT",
        "NEW TABLE AS new_rows",
        _pg_warning_body(_WARN_NEW),
    ),
    (
        "vejud_stats_warning_update",
        WARNING_TABLE,
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        _pg_warning_body(f"{_WARN_OLD} UNION ALL {_WARN_NEW}"),
    ),
    (
        "vejud_stats_warning_delete",
        WARNING_TABLE,
        "DELETE",
        "OLD TABLE AS old_rows",
        _pg_warning_body(_WARN_OLD),
    ),
)


def _sqlite_case_add(row: str) -> list[str]:
    statements = [
        "INSERT INTO statistics_casecount (unit_id, track, status, n)"
        f" VALUES ({row}.responsible_unit_id, {row}.track, {row}.status, 1)"
        " ON CONFLICT (unit_id, track, status) DO UPDATE SET n = n + 1"
    ]
    for event, column in MONTH_EVENTS:
        statements.append(
            "INSERT INTO statistics_monthcount (month, track, event, n)"
            f" SELECT {_sqlite_month(f'{row}.{column}')}, {row}.track, '{event}', 1"
            f" WHERE {row}.{column} IS NOT NULL"
            " ON CONFLICT (month, track, event) DO UPDATE SET n = n + 1"
        )
    return statements


def _sqlite_case_remove(row: str) -> list[str]:
    statements = [
        "UPDATE statistics_casecount SET n = n - 1"
        f" WHERE unit_id = {row}.responsible_unit_id AND track = {row}.track"
        f" AND status = {row}.status"
    ]
    for event, column in MONTH_EVENTS:
        statements.append(
            "UPDATE statistics_monthcount SET n = n - 1"
            f" WHERE month = {_sqlite_month(f'{row}.{column}')} AND track = {row}.track"
            f" AND event = '{event}'"
        )
    return statements


def _sqlite_warning_add(row: str) -> list[str]:
    return [
        "INSERT INTO statistics_tally (name, n) SELECT 'open_early_warnings', 1"
        f" WHERE {row}.resolved_at IS NULL ON CONFLICT (name) DO UPDATE SET n = n + 1"
    ]


def _sqlite_warning_remove(row: str) -> list[str]:
    return [
        "UPDATE statistics_tally SET n = n - 1"
        f" WHERE name = 'open_early_warnings' AND {row}.resolved_at IS NULL"
    ]


_CASE_WATCHED = "responsible_unit_id, track, status, opened_on, course_started_on, closed_on"

# (trigger name, event, table, statements)
SQLITE_TRIGGERS = (
    ("vejud_stats_case_insert", "INSERT", CASE_TABLE, _sqlite_case_add("NEW")),
    (
        "vejud_stats_case_update",
        f"UPDATE OF {_CASE_WATCHED}",
        CASE_TABLE,
        _sqlite_case_remove("OLD") + _sqlite_case_add("NEW"),
    ),
    ("vejud_stats_case_delete", "DELETE", CASE_TABLE, _sqlite_case_remove("OLD")),
    ("vejud_stats_warning_insert", "INSERT", WARNING_TABLE, _sqlite_warning_add("NEW")),
    (
        "vejud_stats_warning_update",
        "UPDATE OF resolved_at",
        WARNING_TABLE,
        _sqlite_warning_remove("OLD") + _sqlite_warning_add("NEW"),
    ),
    ("vejud_stats_warning_delete", "DELETE", WARNING_TABLE, _sqlite_warning_remove("OLD")),
)

TRIGGER_NAMES = tuple(name for name, *_ in PG_TRIGGERS)


def install_triggers(connection: BaseDatabaseWrapper) -> None:
    """Create (or replace) the counter triggers on the cases and early-warning tables."""
    existing = set(connection.introspection.table_names())
    if not {CASE_TABLE, WARNING_TABLE, "statistics_casecount"} <= existing:
        return  # before the first full migrate
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name, table, event, referencing, body in PG_TRIGGERS:
                cursor.execute(_pg_function(name, body))
                cursor.execute(
                    f"CREATE OR REPLACE TRIGGER {name} AFTER {event} ON {table}"
                    f" REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
                )
        elif connection.vendor == "sqlite":
            for name, event, table, statements in SQLITE_TRIGGERS:
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
                body = "; ".join(statements)
                cursor.execute(
                    f'CREATE TRIGGER "{name}" AFTER {event} ON "{table}" BEGIN {body}; END'
                )
        else:  # pragma: no cover - only PostgreSQL and SQLite are supported
            raise RuntimeError(f"Unsupported database vendor {connection.vendor}")


def missing_triggers(connection: BaseDatabaseWrapper) -> list[str]:
    """Return the names of the counter triggers that are not installed (or disabled)."""
    present = installed_triggers(connection, "vejud_stats_")
    return [name for name in TRIGGER_NAMES if name not in present]


def month_sql(connection: BaseDatabaseWrapper, column: str) -> str:
    """Return the SQL for the first day of ``column``'s month on this database."""
    return _pg_month(column) if connection.vendor == "postgresql" else _sqlite_month(column)
