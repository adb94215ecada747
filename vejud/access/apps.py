from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "vejud.access"
    label = "access"
