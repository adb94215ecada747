"""Background jobs (django-tasks, database backend: run ``vejud db_worker``)."""

from __future__ import annotations

from django_tasks import task

from vejud.transfers.services import release_plans_run, release_track_changes_run


@task()
def create_due_release_plans() -> int:
    """The daily good-release job: make the release plans that are due and move the cases
    whose release date has come to their new track; return how many plans were made."""
    release_track_changes_run()
    return release_plans_run()
