"""Background jobs of the accounts (django-tasks, database backend: run ``vejud db_worker``)."""

from __future__ import annotations

from django_tasks import task

from vejud.accounts.sso import inactive_users_deactivate


@task()
def deactivate_inactive_sso_users() -> int:
    """The daily single sign-on job: deactivate the linked users not seen for
    ``VEJUD_OIDC_INACTIVE_DAYS`` days (sessions end, API tokens revoked); return how many."""
    return inactive_users_deactivate()
