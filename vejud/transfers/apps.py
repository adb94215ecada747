from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "vejud.transfers"
    label = "transfers"
