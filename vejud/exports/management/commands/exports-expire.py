"""``vejud exports-expire``: delete the files of exports past ``VEJUD_EXPORT_KEEP_HOURS``
(hourly, e.g. from cron)."""

from __future__ import annotations

from typing import Any

from vejud.core.jobs import JobCommand
from vejud.exports.services import exports_expire
from vejud.exports.tasks import expire_exports


class Command(JobCommand):
    help = "Delete the files of exports past VEJUD_EXPORT_KEEP_HOURS."
    task = expire_exports

    def run(self, **options: Any) -> None:
        self.stdout.write(f"Expired {exports_expire()} export(s).")
