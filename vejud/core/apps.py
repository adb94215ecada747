from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vejud.core"
    label = "core"
    verbose_name = "Core"
