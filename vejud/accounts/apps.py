from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vejud.accounts"
    label = "accounts"

    def ready(self) -> None:
        from vejud.accounts import signals  # noqa: F401  (connects the receivers)
