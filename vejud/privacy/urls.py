"""Data-protection pages under /personer/<id>/indsigt/ (URL names privacy:*)."""

from __future__ import annotations

from django.urls import path

from vejud.privacy import views

app_name = "privacy"
urlpatterns = [
    path("<uuid:public_id>/indsigt/", views.subject_access, name="subject_access"),
    path(
        "<uuid:public_id>/indsigt/<int:export_id>.<str:fmt>",
        views.subject_access_download,
        name="subject_access_download",
    ),
]
