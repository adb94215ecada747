"""``vejud training-offers``: expire waiting-list offers not accepted in time and pass their
seats on (run every 15 minutes, e.g. from cron)."""

from __future__ import annotations

from typing import Any

from vejud.core.jobs import JobCommand
from vejud.training.services import offers_expire
from vejud.training.tasks import expire_training_offers


class Command(JobCommand):
    help = "Expire training offers past VEJUD_TRAINING_OFFER_HOURS and offer the seats on."
    task = expire_training_offers

    def run(self, **options: Any) -> None:
        self.stdout.write(f"Expired {offers_expire()} offer(s).")
