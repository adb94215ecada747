from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "vejud.followup"
    label = "followup"
