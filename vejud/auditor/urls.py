"""The auditor's pages, under /revision/."""

from __future__ import annotations

from django.urls import URLPattern, path

from vejud.auditor import views

app_name = "audit"  # the URL names stay audit:events, audit:access, ...
urlpatterns: list[URLPattern] = [
    path("", views.events, name="events"),
    path("adgang/", views.access, name="access"),
    path("bryd-glasset/", views.break_glass_queue, name="break_glass_queue"),
    path("rolletildelinger/", views.role_grants, name="role_grants"),
]
