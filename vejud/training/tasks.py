"""Background jobs (django-tasks, database backend: run ``vejud db_worker``)."""

from __future__ import annotations

from django_tasks import task

from vejud.training.services import offers_expire


@task()
def expire_training_offers() -> int:
    """Cancel the waiting-list offers not accepted in time and offer their seats on; return how
    many expired. Safe to run at any time and after any pause: it looks at the clock, not at
    when it last ran."""
    return offers_expire()
