"""A recurring job as a command: run it now, or hand it to the task worker (``--enqueue``).

The daily and quarter-hourly jobs (release plans, training offers, retention) are commands a
scheduler such as cron calls; each is also a django-tasks task. ``JobCommand`` gives them the
one ``--enqueue`` option and its answer, so a job's command says only what the job does.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class JobCommand(BaseCommand):
    """``task`` is the job's django-tasks task; ``run(**options)`` runs it here and writes."""

    task: Any

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Hand the job to the task worker instead."
        )
        self.add_job_arguments(parser)

    def add_job_arguments(self, parser: CommandParser) -> None:
        """The job's own options (none by default)."""

    def refuse_enqueue(self, options: dict[str, Any]) -> str:
        """Why the options do not go with ``--enqueue`` ("" when they do)."""
        return ""

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["enqueue"]:
            self.run(**options)
            return
        if refusal := self.refuse_enqueue(options):
            raise CommandError(refusal)
        result = self.task.enqueue()
        self.stdout.write(f"Enqueued job {result.id}.")

    def run(self, **options: Any) -> None:
        raise NotImplementedError
