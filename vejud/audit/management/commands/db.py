"""``vejud db``: the application's database role (PostgreSQL), run as the schema owner."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from vejud.audit.roles import RoleError, app_role_problems, grant_app_role
from vejud.core.owner import use_owner_connection


class Command(BaseCommand):
    help = (
        "Database roles. 'grant-app-role' gives the application's role exactly its rights on"
        " the tables (rows only; the audit trail and other append-only tables SELECT and"
        " INSERT; no TRUNCATE, no triggers, not the owner) and checks them; idempotent. Runs"
        " as VEJUD_MIGRATE_DATABASE_URL (the owner) when set, else DATABASE_URL."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{grant-app-role}")
        grant = sub.add_parser("grant-app-role", help="Grant the application role its rights.")
        grant.add_argument(
            "--role",
            default=settings.VEJUD_APP_DB_ROLE,
            help="The role (default VEJUD_APP_DB_ROLE, or the user of DATABASE_URL).",
        )
        grant.add_argument(
            "--check", action="store_true", help="Only check the role's rights; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        role = options["role"]
        if not role:
            raise CommandError("Name the application's role: --role NAME (or VEJUD_APP_DB_ROLE).")
        use_owner_connection(DEFAULT_DB_ALIAS)
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.vendor != "postgresql":
            raise CommandError("Database roles need PostgreSQL; SQLite has none.")
        if not options["check"]:
            try:
                with transaction.atomic():
                    grant_app_role(connection, role)
            except RoleError as exc:
                raise CommandError(f"Not granted: {exc}.") from exc
        problems = app_role_problems(connection, role)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"The role {role} does not hold exactly the application's rights.")
        self.stdout.write(f"The role {role} holds exactly the application's rights.")
