from django.apps import AppConfig


class PoolConfig(AppConfig):
    name = "vejud.pool"
    label = "pool"
