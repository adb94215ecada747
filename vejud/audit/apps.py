from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _install_triggers(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from vejud.audit.guard import install_triggers

    install_triggers(connections[using])


class AuditConfig(AppConfig):
    name = "vejud.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        from vejud.audit import checks  # noqa: F401  (registers the database check)

        post_migrate.connect(_install_triggers, sender=self, dispatch_uid="vejud_audit_triggers")
