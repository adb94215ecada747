"""The front door and the health check."""

from __future__ import annotations

from django.urls import path

from vejud.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("ping/", views.ping, name="ping"),
]
