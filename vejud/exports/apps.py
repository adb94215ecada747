from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "vejud.exports"
    label = "exports"
    verbose_name = "Exports"
