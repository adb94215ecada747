"""``vejud load-reference``: load or refresh the shipped reference data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vejud.reference.services import REFERENCE_DIR, ReferenceDataError, reference_load


class Command(BaseCommand):
    help = (
        "Load the shipped reference data (police districts, municipalities, units, groups). "
        "Idempotent: rows are matched by code or name and updated, never duplicated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--missing-only",
            action="store_true",
            help="Only add rows that are missing; keep corrections made in the admin.",
        )
        parser.add_argument(
            "--directory",
            type=Path,
            default=REFERENCE_DIR,
            help="Load these CSV files instead of the shipped ones (same file names).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = reference_load(
                directory=options["directory"], missing_only=options["missing_only"]
            )
        except (ReferenceDataError, ValidationError, OSError) as exc:
            raise CommandError(f"Reference data not loaded: {exc}") from exc
        for name, counts in result.counts.items():
            self.stdout.write(
                f"{name}: {counts.created} created, {counts.updated} updated, "
                f"{counts.unchanged} unchanged"
            )
