"""``vejud public-inquiries-purge``: delete what was sent in public inquiries nobody answered
within ``VEJUD_PUBLIC_INQUIRY_RETENTION_DAYS`` (daily, e.g. from cron)."""

from __future__ import annotations

from typing import Any

from vejud.core.jobs import JobCommand
from vejud.frontdoor.services import public_inquiries_purge
from vejud.frontdoor.tasks import purge_public_inquiries


class Command(JobCommand):
    help = "Purge public inquiries past VEJUD_PUBLIC_INQUIRY_RETENTION_DAYS that nobody answered."
    task = purge_public_inquiries

    def run(self, **options: Any) -> None:
        self.stdout.write(f"Purged {public_inquiries_purge()} public inquiry(ies).")
