"""``vejud training-offers``: expire waiting-list offers not accepted in time and pass their
seats on (run every 15 minutes, e.g. from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vejud.training.services import offers_expire
from vejud.training.tasks import expire_training_offers


class Command(BaseCommand):
    help = "Expire training offers past VEJUD_TRAINING_OFFER_HOURS and offer the seats on."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Hand the job to the task worker instead."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = expire_training_offers.enqueue()
            self.stdout.write(f"Enqueued job {result.id}.")
            return
        expired = offers_expire()
        self.stdout.write(f"Expired {expired} offer(s).")
