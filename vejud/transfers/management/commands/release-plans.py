"""``vejud release-plans``: create due good-release plans and move the cases released today
to their new track (run daily, e.g. from cron)."""

from __future__ import annotations

from typing import Any

from vejud.core.jobs import JobCommand
from vejud.transfers.services import release_plans_run, release_track_changes_run
from vejud.transfers.tasks import create_due_release_plans


class Command(JobCommand):
    help = (
        "Create the good-release plans due within VEJUD_RELEASE_PLAN_DAYS days and move the "
        "cases whose release date has come to the track of their accepted transfer."
    )
    task = create_due_release_plans

    def run(self, **options: Any) -> None:
        moved = release_track_changes_run()
        created = release_plans_run()
        self.stdout.write(f"Moved {moved} released case(s). Created {created} release plan(s).")
