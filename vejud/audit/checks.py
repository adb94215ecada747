"""System check: every guarded or append-only table has its trigger (``check --database``)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register
from django.db import connections

from vejud.audit.guard import missing_triggers


@register(Tags.database)
def triggers_present(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for alias in databases or []:
        for table in missing_triggers(connections[alias]):
            errors.append(
                Error(
                    f"The audit trigger is missing on {table}.",
                    hint="Run 'vejud migrate' to reinstall the audit triggers.",
                    id="audit.E001",
                )
            )
    return errors
