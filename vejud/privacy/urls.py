"""Data-protection pages under /personer/<id>/: the subject-access export (indsigt/) and
holds on anonymisation (opbevaring/); URL names privacy:*."""

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
    path("<uuid:public_id>/opbevaring/hold/", views.hold_set, name="hold_set"),
    path(
        "<uuid:public_id>/opbevaring/hold/<int:hold_id>/ophaev/",
        views.hold_lift,
        name="hold_lift",
    ),
]
