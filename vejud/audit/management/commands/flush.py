"""Django's flush, allowed past the audit triggers (tests and operators resetting a database)."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from vejud.audit.guard import MODE_CLOSED, MODE_MAINTENANCE
from vejud.core.owner import use_owner_connection


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        use_owner_connection(options["database"])  # TRUNCATE is the owner's (vejud.core.owner)
        connection = connections[options["database"]]
        # PostgreSQL flushes with TRUNCATE, which the row/statement triggers ignore;
        # SQLite flushes with DELETE, so it needs the maintenance mode.
        connection.vejud_write_mode = MODE_MAINTENANCE  # type: ignore[attr-defined]
        try:
            super().handle(**options)
        finally:
            connection.vejud_write_mode = MODE_CLOSED  # type: ignore[attr-defined]
