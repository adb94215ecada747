"""Django's migrate, as the schema owner when ``VEJUD_MIGRATE_DATABASE_URL`` is set."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.migrate import Command as MigrateCommand

from vejud.core.owner import use_owner_connection


class Command(MigrateCommand):
    help = (
        "Create or update the database schema, connected as VEJUD_MIGRATE_DATABASE_URL (the"
        " tables' owner) when it is set; afterwards the application role named by"
        " VEJUD_APP_DB_ROLE (default: the user of DATABASE_URL) gets exactly its rights again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        use_owner_connection(options["database"])
        super().handle(*args, **options)
