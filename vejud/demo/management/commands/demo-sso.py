"""``vejud demo-sso``: the demo's identity provider, to try single sign-on (``bin/demo``)."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vejud.demo.showcase import DEMO_URL
from vejud.demo.sso import demo_provider


class Command(BaseCommand):
    help = (
        "Write the configuration of a demo OpenID Connect provider (tests/oidc/provider.mjs) "
        "and vejud's environment for it, link its demo accounts to demo users, make an "
        "invitation link, and print how to use it. Refused with DEBUG off."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8001, help="The provider's port.")
        parser.add_argument("--url", default=DEMO_URL, help="The demo's address.")
        parser.add_argument("--config", required=True, help="Where to write the provider's JSON.")
        parser.add_argument("--env", required=True, help="Where to write vejud's environment.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or settings.TESTING):
            raise CommandError("demo-sso publishes its accounts' password; refused with DEBUG off.")
        demo = demo_provider(
            port=options["port"],
            url=options["url"],
            secret=secrets.token_urlsafe(24),
            control_token=secrets.token_urlsafe(16),
        )
        for key in ("config", "env"):
            Path(options[key]).parent.mkdir(parents=True, exist_ok=True)
        config = Path(options["config"])
        config.write_text(json.dumps(demo["config"], indent=2), encoding="utf-8")
        config.chmod(0o600)
        env = Path(options["env"])
        env.write_text(
            "".join(f"export {key}='{value}'\n" for key, value in demo["env"].items()),
            encoding="utf-8",
        )
        env.chmod(0o600)
        self.stdout.write("\n".join(demo["lines"]))
