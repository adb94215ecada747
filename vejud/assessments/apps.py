from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "vejud.assessments"
    label = "assessments"
