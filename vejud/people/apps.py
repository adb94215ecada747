from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "vejud.people"
    label = "people"
