from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "vejud.reference"
    label = "reference"
    verbose_name = "Reference data"
