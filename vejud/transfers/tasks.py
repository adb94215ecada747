"""Background jobs (django-tasks, database backend: run ``vejud db_worker``)."""

from __future__ import annotations

from django_tasks import task

from vejud.transfers.services import release_plans_run


@task()
def create_due_release_plans() -> int:
    """Create the good-release plans that are due; return how many were created."""
    return release_plans_run()
