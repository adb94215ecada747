from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "vejud.training"
    label = "training"
