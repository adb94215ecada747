"""Background jobs (django-tasks, database backend: run ``vejud db_worker``)."""

from __future__ import annotations

from django_tasks import task

from vejud.frontdoor.services import public_inquiries_purge


@task()
def purge_public_inquiries() -> int:
    """Delete what was sent in public inquiries nobody answered within
    ``VEJUD_PUBLIC_INQUIRY_RETENTION_DAYS``; return how many. Safe to run at any time."""
    return public_inquiries_purge()
