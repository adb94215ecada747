from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "vejud.cases"
    label = "cases"
