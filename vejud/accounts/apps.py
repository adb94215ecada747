from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vejud.accounts"
    label = "accounts"
