from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _install_triggers(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from vejud.statistics.triggers import install_triggers

    install_triggers(connections[using])


class StatisticsConfig(AppConfig):
    name = "vejud.statistics"
    label = "statistics"
    verbose_name = "Statistics"

    def ready(self) -> None:
        from vejud.statistics.figures import connect

        connect()
        post_migrate.connect(
            _install_triggers, sender=self, dispatch_uid="vejud_statistics_triggers"
        )
