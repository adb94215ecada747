from django.apps import AppConfig


class WorklistConfig(AppConfig):
    name = "vejud.worklist"
    label = "worklist"
