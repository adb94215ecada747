# ruff: noqa: S608  (SQL assembled from this module's constants only; no input reaches it)
"""Recompute the statistics counters from the data, or compare them with it.

The triggers keep the counters right; these are for a database loaded with the
triggers disabled, a restore, or a scheduled check (``vejud statistics``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from vejud.statistics.models import OPEN_EARLY_WARNINGS
from vejud.statistics.triggers import CASE_TABLE, MONTH_EVENTS, WARNING_TABLE, month_sql


def _lock_sources() -> None:
    """Hold off writers to the source tables until the transaction ends (PostgreSQL).

    SQLite write transactions are exclusive already (``transaction_mode = IMMEDIATE``).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {CASE_TABLE}, {WARNING_TABLE} IN SHARE MODE")


def _case_counts_sql() -> str:
    return f"SELECT responsible_unit_id, track, status, count(*) FROM {CASE_TABLE} GROUP BY 1, 2, 3"


def _month_counts_sql() -> str:
    parts = " UNION ALL ".join(
        f"SELECT {month_sql(connection, column)} AS month, track, '{event}' AS event"
        f" FROM {CASE_TABLE} WHERE {column} IS NOT NULL"
        for event, column in MONTH_EVENTS
    )
    return f"SELECT month, track, event, count(*) FROM ({parts}) m GROUP BY 1, 2, 3"


def _open_warnings_sql() -> str:
    return f"SELECT count(*) FROM {WARNING_TABLE} WHERE resolved_at IS NULL"


def counters_rebuild() -> None:
    """Replace every counter with a count over the data, in one transaction."""
    with transaction.atomic():
        _lock_sources()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM statistics_casecount")
            cursor.execute(
                "INSERT INTO statistics_casecount (unit_id, track, status, n) " + _case_counts_sql()
            )
            cursor.execute("DELETE FROM statistics_monthcount")
            cursor.execute(
                "INSERT INTO statistics_monthcount (month, track, event, n) " + _month_counts_sql()
            )
            cursor.execute("DELETE FROM statistics_tally")
            cursor.execute(
                "INSERT INTO statistics_tally (name, n) "
                f"SELECT '{OPEN_EARLY_WARNINGS}', count(*) FROM {WARNING_TABLE}"
                " WHERE resolved_at IS NULL"
            )


@dataclass
class CheckResult:
    ok: bool
    differences: list[str] = field(default_factory=list)


def _nonzero(rows: list[tuple[Any, ...]]) -> Counter[tuple[str, ...]]:
    """Key each counted row by its columns as text; drop zero counts."""
    result: Counter[tuple[str, ...]] = Counter()
    for *key, n in rows:
        if n:
            result[tuple(str(part) for part in key)] = int(n)
    return result


def counters_check() -> CheckResult:
    """Compare the counters with counts over the data; list every difference."""
    differences: list[str] = []
    with transaction.atomic():
        _lock_sources()
        with connection.cursor() as cursor:
            checks = (
                (
                    "cases",
                    _case_counts_sql(),
                    "SELECT unit_id, track, status, n FROM statistics_casecount",
                ),
                (
                    "months",
                    _month_counts_sql(),
                    "SELECT month, track, event, n FROM statistics_monthcount",
                ),
                (
                    "tally",
                    f"SELECT '{OPEN_EARLY_WARNINGS}', ({_open_warnings_sql()})",
                    "SELECT name, n FROM statistics_tally",
                ),
            )
            for label, data_sql, counter_sql in checks:
                cursor.execute(data_sql)
                expected = _nonzero(cursor.fetchall())
                cursor.execute(counter_sql)
                actual = _nonzero(cursor.fetchall())
                for key in sorted(set(expected) | set(actual)):
                    if expected[key] != actual[key]:
                        differences.append(
                            f"{label} {'/'.join(key)}: counted {actual[key]}, "
                            f"data has {expected[key]}"
                        )
    return CheckResult(ok=not differences, differences=differences)
