from django.urls import path

from vejud.actions.pages import action_urls
from vejud.intake import views
from vejud.intake.actions import ACTIONS

app_name = "intake"
urlpatterns = [
    path("ny-henvendelse/", views.inquiry_new, name="inquiry_new"),
    path("mulige-personer/", views.possible_persons, name="possible_persons"),
    path(
        "mulige-personer/<int:match_id>/",
        views.possible_person_decide,
        name="possible_person_decide",
    ),
    *action_urls(ACTIONS),
]
