from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "vejud.outcomes"
    label = "outcomes"

    def ready(self) -> None:
        from vejud.outcomes.services import connect

        connect()
