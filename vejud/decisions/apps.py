from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "vejud.decisions"
    label = "decisions"
