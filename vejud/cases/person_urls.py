"""Person pages under /personer/: a person with the cases the user may see (URL names people:*)."""

from __future__ import annotations

from django.urls import path

from vejud.cases import person_views as views

app_name = "people"
urlpatterns = [
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/adgangsregler/", views.access_rule_add, name="access_rule_add"),
]
