from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "vejud.demo"
    label = "demo"
