from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "vejud.intake"
    label = "intake"
