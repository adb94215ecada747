from django.urls import path

from vejud.actions.pages import action_urls
from vejud.decisions import views
from vejud.decisions.actions import ACTIONS

app_name = "decisions"
urlpatterns = [
    *action_urls(ACTIONS),
    path("<str:reference>/afgoerelser/<int:decision_id>/brev.pdf", views.letter, name="letter"),
]
