from django.apps import AppConfig


class AuditorConfig(AppConfig):
    name = "vejud.auditor"
    label = "auditor"
    verbose_name = "Auditor"
