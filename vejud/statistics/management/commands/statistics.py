"""``vejud statistics``: check the overview's counters against the data, or rebuild them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from vejud.statistics.figures import figures_check, figures_rebuild
from vejud.statistics.services import counters_check, counters_rebuild
from vejud.statistics.triggers import install_triggers, missing_triggers


class Command(BaseCommand):
    help = (
        "Compare the national overview's counters and the dashboard's figures with counts over "
        "the data (exit status 1 on any difference), or rebuild them (--rebuild). Both hold off "
        "writers while they count."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Recount from the data (and reinstall the triggers).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            install_triggers(connection)
            counters_rebuild()
            rows = figures_rebuild()
            self.stdout.write(
                f"The counters and the dashboard's figures ({rows} rows) were rebuilt from the data."
            )
        missing = missing_triggers(connection)
        result = counters_check()
        differences = [*result.differences, *figures_check()]
        for line in differences:
            self.stdout.write(line)
        if missing:
            self.stdout.write(f"Missing counter triggers: {', '.join(missing)}")
        if missing or differences:
            raise CommandError(
                "The counters do not match the data: run vejud statistics --rebuild."
            )
        self.stdout.write("The counters match the data.")
