from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "vejud.api"
    label = "api"
