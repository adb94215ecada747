"""``vejud audit verify``: recompute the audit trail's hash chain and report tampering."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vejud.audit.services import verify_chain


class Command(BaseCommand):
    help = "Audit trail tools. 'verify' recomputes the hash chain; a broken chain exits non-zero."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify}")
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

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self.verify(quiet=options["quiet"], max_problems=options["max_problems"])

    def verify(self, *, quiet: bool, max_problems: int) -> None:
        result = verify_chain(max_problems=max(1, max_problems))
        if result.ok:
            if not quiet:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Checked {result.checked} audit records: the chain is intact."
                    )
                )
            return
        self.stderr.write(
            f"Checked {result.checked} audit records: {len(result.problems)} problem(s) found."
        )
        for problem in result.problems:
            self.stderr.write(f"  {problem}")
        raise CommandError("The audit chain is broken.", returncode=1)
