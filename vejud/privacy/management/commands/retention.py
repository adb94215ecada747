"""``vejud retention run``: anonymise the persons whose records are due (daily, e.g. from
cron); ``--dry-run`` lists them and changes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import CommandParser

from vejud.core.jobs import JobCommand
from vejud.privacy.services import retention_run
from vejud.privacy.tasks import run_retention


class Command(JobCommand):
    help = "Anonymise the persons whose retention date has passed (see vejud.privacy.retention)."
    task = run_retention

    def add_job_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["run"])
        parser.add_argument("--dry-run", action="store_true", help="List, change nothing.")
        parser.add_argument("--today", type=date.fromisoformat, help="Run as of this day.")

    def refuse_enqueue(self, options: dict[str, Any]) -> str:
        if options["dry_run"] or options["today"]:
            return "--enqueue runs as of today and for real."
        return ""

    def run(self, **options: Any) -> None:
        run = retention_run(today=options["today"], dry_run=options["dry_run"])
        verb = "Would anonymise" if run.dry_run else "Anonymised"
        self.stdout.write(f"{verb} {len(run.persons)} person(s) as of {run.today:%Y-%m-%d}.")
        for kind, count in sorted(run.records.items()):
            self.stdout.write(f"  {kind}: {count}")
        if run.dry_run and run.persons:
            self.stdout.write("  persons (internal ids): " + ", ".join(map(str, run.persons)))
