from django.urls import path

from vejud.actions.pages import action_urls
from vejud.followup import views
from vejud.followup.actions import ACTIONS

app_name = "followup"
urlpatterns = [
    *action_urls(ACTIONS),
    path("<str:reference>/opfoelgning/graf.svg", views.chart, name="chart"),
]
