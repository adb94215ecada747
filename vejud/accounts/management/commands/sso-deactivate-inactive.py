"""``vejud sso-deactivate-inactive``: deactivate the users linked to a single sign-on provider
who have not logged in for ``VEJUD_OIDC_INACTIVE_DAYS`` days (run daily, e.g. from cron)."""

from __future__ import annotations

from typing import Any

from vejud.accounts.sso import inactive_users_deactivate
from vejud.accounts.tasks import deactivate_inactive_sso_users
from vejud.core.jobs import JobCommand


class Command(JobCommand):
    help = (
        "Deactivate users linked to a single sign-on provider not seen for "
        "VEJUD_OIDC_INACTIVE_DAYS days: their sessions end and their API tokens are revoked."
    )
    task = deactivate_inactive_sso_users

    def run(self, **options: Any) -> None:
        count = inactive_users_deactivate()
        self.stdout.write(f"Deactivated {count} user(s).")
