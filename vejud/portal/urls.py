"""The front door and the health check."""

from __future__ import annotations

from django.urls import path

from vejud.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("ping/", views.ping, name="ping"),
]
