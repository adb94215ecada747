"""Background jobs (django-tasks, database backend: run ``vejud db_worker``)."""

from __future__ import annotations

from django_tasks import task

from vejud.privacy.services import retention_run


@task()
def run_retention() -> int:
    """Anonymise every person whose records are due; return how many. Safe to run at any
    time and after any pause: it reads the dates, not when it last ran."""
    return len(retention_run().persons)
