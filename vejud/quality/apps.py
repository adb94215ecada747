from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "vejud.quality"
    label = "quality"
    verbose_name = "Quality assurance"
