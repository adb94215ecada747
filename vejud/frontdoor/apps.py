from django.apps import AppConfig


class FrontdoorConfig(AppConfig):
    name = "vejud.frontdoor"
    label = "frontdoor"
    verbose_name = "Public front door"
