from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _install_triggers(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from vejud.accounts.generation import install_triggers

    install_triggers(connections[using])


class AccountsConfig(AppConfig):
    name = "vejud.accounts"
    label = "accounts"

    def ready(self) -> None:
        from vejud.accounts import signals  # noqa: F401  (connects the receivers)

        post_migrate.connect(
            _install_triggers, sender=self, dispatch_uid="vejud_accounts_access_generation"
        )
