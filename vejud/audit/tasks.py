"""Background jobs of the audit trail (django-tasks, database backend: run ``vejud db_worker``)."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from vejud.audit.checkpoints import write_checkpoint


@task()
def write_audit_checkpoint() -> int:
    """Append a signed checkpoint of the chain head to VEJUD_AUDIT_CHECKPOINTS; return its #."""
    return write_checkpoint(settings.VEJUD_AUDIT_CHECKPOINTS).seq
