from django.urls import path

from vejud.actions.pages import action_urls
from vejud.casedocs import views
from vejud.casedocs.actions import ACTIONS

app_name = "casedocs"
urlpatterns = [
    *action_urls(ACTIONS),
    path("<str:reference>/dokumenter/<int:document_id>/", views.download, name="download"),
]
