"""``vejud seed-demo``: reference data and a synthetic demo dataset, then the demo logins."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vejud.demo.bulk import FULL_AUDIT_CASES
from vejud.demo.seed import seed_demo
from vejud.demo.showcase import DEMO_PASSWORD, DEMO_URL, MIN_CASES, TOTP_HOW_TO


class Command(BaseCommand):
    help = (
        "Load the reference data and a synthetic demo dataset (no real people), then print "
        "the demo logins. Idempotent: a second run adds nothing. Refused with DEBUG off."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--cases",
            type=int,
            default=300,
            help=(
                f"How many cases in all: the {MIN_CASES} showcase cases through the services, "
                "the rest simulated in bulk (a million load in minutes on PostgreSQL)."
            ),
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed (same seed, same data)."
        )
        parser.add_argument("--url", default=DEMO_URL, help="The address printed for the demo.")
        parser.add_argument(
            "--audit",
            choices=["auto", "full", "lifecycle"],
            default="auto",
            help=(
                "Audit trail of the bulk cases: every change (full), or each case's life cycle "
                "without journal notes, instruments and plan items (lifecycle). "
                f"auto: full up to {FULL_AUDIT_CASES:,} cases."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or settings.TESTING):
            raise CommandError(
                "seed-demo creates users with a published password and TOTP secret; "
                "it is refused with DEBUG off."
            )
        started = time.monotonic()
        audit = options["audit"]
        result = seed_demo(
            cases=options["cases"],
            seed=options["seed"],
            progress=self.stdout.write,
            full_audit=None if audit == "auto" else audit == "full",
        )
        took = time.monotonic() - started
        if result.created:
            self.stdout.write(
                f"Demo data created: {result.persons} persons, {result.cases} cases ({took:.1f} s)."
            )
            for line in result.summary:
                self.stdout.write(f"  {line}")
            self.stdout.write("")
            self.stdout.write("Showcase cases (every path of the exit process):")
        for note in result.notes:
            self.stdout.write(f"  {note}")
        self.stdout.write("")
        self.stdout.write(f"Open {options['url']} and log in as any demo user below.")
        self.stdout.write(f"Password (all demo users): {DEMO_PASSWORD}")
        self.stdout.write(
            "Second factor: the TOTP secret (base32) in an authenticator app, or the current code:"
        )
        self.stdout.write(f"  {TOTP_HOW_TO}")
        self.stdout.write("")
        width = max(len(login.email) for login in result.logins)
        role_width = max(len(login.role) for login in result.logins)
        self.stdout.write(f"{'E-mail':<{width}}  {'TOTP secret':<32}  {'Role':<{role_width}}  Unit")
        for login in result.logins:
            self.stdout.write(
                f"{login.email:<{width}}  {login.totp_secret:<32}  {login.role:<{role_width}}  "
                f"{login.unit}"
            )
