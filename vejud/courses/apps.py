from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "vejud.courses"
    label = "courses"
