"""Person pages under /personer/."""

from __future__ import annotations

from django.urls import path

from vejud.people import views

app_name = "people"
urlpatterns = [
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/adgangsregler/", views.access_rule_add, name="access_rule_add"),
]
