"""Background jobs (django-tasks, database backend: run ``vejud db_worker``)."""

from __future__ import annotations

from django_tasks import task

from vejud.exports.services import export_build, exports_expire


@task()
def build_export(export_id: int) -> str:
    """Build one export; return its status (a second run of the same export does nothing)."""
    export = export_build(export_id=export_id)
    return export.status if export else "skipped"


@task()
def expire_exports() -> int:
    """Delete the files of exports past their time; return how many."""
    return exports_expire()
