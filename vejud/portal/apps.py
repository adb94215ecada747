from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "vejud.portal"
    label = "portal"
    verbose_name = "Portal"
