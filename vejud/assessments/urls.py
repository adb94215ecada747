from django.urls import path

from vejud.actions.pages import action_urls
from vejud.assessments import views
from vejud.assessments.actions import ACTIONS

app_name = "assessments"
urlpatterns = [
    path("<str:reference>/vurdering/<str:kind>/", views.instrument_edit, name="edit"),
    *action_urls(ACTIONS),
]
