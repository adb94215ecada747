from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "vejud.organisations"
    label = "organisations"
