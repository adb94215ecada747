from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db import connections
from django.db.models.signals import post_migrate


def _install_triggers(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from vejud.audit.guard import install_triggers
    from vejud.audit.roles import grant_app_role

    connection = connections[using]
    install_triggers(connection)
    # Migrated as the owner (VEJUD_MIGRATE_DATABASE_URL): the application's role gets exactly
    # its rights on the tables as they are now (vejud.audit.roles).
    role = settings.VEJUD_APP_DB_ROLE
    if role and connection.vendor == "postgresql" and settings.VEJUD_MIGRATE_DATABASE:
        grant_app_role(connection, role)


class AuditConfig(AppConfig):
    name = "vejud.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        from vejud.audit import checks  # noqa: F401  (registers the database check)

        post_migrate.connect(_install_triggers, sender=self, dispatch_uid="vejud_audit_triggers")
