from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class ActionsConfig(AppConfig):
    name = "vejud.actions"
    label = "actions"

    def ready(self) -> None:
        # Every app's action table (<app>/actions.py) and case panels (<app>/panels.py) register
        # themselves on import.
        autodiscover_modules("actions", "panels")
