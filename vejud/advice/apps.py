from django.apps import AppConfig


class AdviceConfig(AppConfig):
    name = "vejud.advice"
    label = "advice"
