"""``vejud audit``: verify the keyed chain (against the checkpoints) and write checkpoints."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vejud.audit.checkpoints import verify_checkpoints, write_checkpoint
from vejud.audit.services import verify_chain
from vejud.audit.tasks import write_audit_checkpoint


class Command(BaseCommand):
    help = (
        "Audit trail tools. 'verify' recomputes the keyed chain (and checks it against the"
        " checkpoints with --against); a broken chain exits non-zero. 'checkpoint' appends a"
        " signed checkpoint of the chain head to the checkpoint file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify,checkpoint}")
        verify = sub.add_parser(
            "verify", help="Check that no audit record has been edited, deleted or inserted."
        )
        verify.add_argument(
            "--quiet", action="store_true", help="Print nothing when the chain is intact."
        )
        verify.add_argument(
            "--max-problems",
            type=int,
            default=20,
            help="Stop after this many problems (default 20).",
        )
        verify.add_argument(
            "--against",
            metavar="CHECKPOINTS",
            help="Also check the chain against this checkpoint file (a copy kept elsewhere).",
        )
        checkpoint = sub.add_parser(
            "checkpoint", help="Append a signed checkpoint of the chain head (run regularly)."
        )
        checkpoint.add_argument(
            "--file",
            help="The checkpoint file (default VEJUD_AUDIT_CHECKPOINTS).",
        )
        checkpoint.add_argument(
            "--enqueue", action="store_true", help="Hand the job to the task worker instead."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "checkpoint":
            self.checkpoint(path=options["file"], enqueue=options["enqueue"])
        else:
            self.verify(
                quiet=options["quiet"],
                max_problems=max(1, options["max_problems"]),
                against=options["against"],
            )

    def checkpoint(self, *, path: str | None, enqueue: bool) -> None:
        if enqueue:
            result = write_audit_checkpoint.enqueue()
            self.stdout.write(f"Enqueued job {result.id}.")
            return
        path = path or settings.VEJUD_AUDIT_CHECKPOINTS
        try:
            written = write_checkpoint(path)
        except OSError as exc:
            raise CommandError(f"Cannot write the checkpoint file {path}: {exc}") from exc
        self.stdout.write(f"Checkpoint #{written.seq} written to {path}.")

    def verify(self, *, quiet: bool, max_problems: int, against: str | None) -> None:
        result = verify_chain(max_problems=max_problems)
        problems = list(result.problems)
        summary = f"Checked {result.checked} audit records"
        if against:
            try:
                count, checkpoint_problems = verify_checkpoints(against, max_problems=max_problems)
            except OSError as exc:
                raise CommandError(f"Cannot read the checkpoint file {against}: {exc}") from exc
            problems += checkpoint_problems
            summary += f" against {count} checkpoint(s)"
        if not problems:
            if not quiet:
                self.stdout.write(self.style.SUCCESS(f"{summary}: the chain is intact."))
            return
        self.stderr.write(f"{summary}: {len(problems)} problem(s) found.")
        for problem in problems[:max_problems]:
            self.stderr.write(f"  {problem}")
        raise CommandError("The audit chain is broken.", returncode=1)
