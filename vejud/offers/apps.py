from django.apps import AppConfig


class OffersConfig(AppConfig):
    name = "vejud.offers"
    label = "offers"
