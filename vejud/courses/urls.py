"""Exit-course pages under /sager/<reference>/: the course (forløb) and the mentor view."""

from __future__ import annotations

from django.urls import path

from vejud.actions.pages import action_urls
from vejud.courses import views
from vejud.courses.actions import ACTIONS

app_name = "courses"
urlpatterns = [
    *action_urls(ACTIONS),
    path("<str:reference>/forloeb/exitaftale.pdf", views.agreement_document, name="agreement_pdf"),
    path("<str:reference>/mentor/", views.mentor_view, name="mentor_view"),
]
