"""What the database says about the application's own triggers (PostgreSQL and SQLite)."""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper


def installed_triggers(connection: BaseDatabaseWrapper, prefix: str) -> set[str]:
    """Return the names of the enabled triggers whose name starts with ``prefix``.

    ``prefix`` is a plain name start (letters, digits and ``_``, which LIKE reads as any one
    character: the names are checked against it again here).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgname LIKE %s AND tgenabled <> 'D'",
                [f"{prefix}%"],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [f"{prefix}%"],
            )
        return {name for (name,) in cursor.fetchall() if name.startswith(prefix)}
