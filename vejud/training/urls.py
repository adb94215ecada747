"""Training routes, under /uddannelse/."""

from __future__ import annotations

from django.urls import path

from vejud.training import views

app_name = "training"
REGISTRATION = "tilmelding/<int:registration_id>/"

urlpatterns = [
    path("", views.catalogue_view, name="catalogue"),
    path("mine/", views.mine, name="mine"),
    path("daekning/", views.coverage_view, name="coverage"),
    path("kursus/nyt/", views.course_new, name="course_new"),
    path("hold/nyt/", views.session_new, name="session_new"),
    path("hold/<int:session_id>/status/", views.session_status, name="session_status"),
    path("hold/<int:session_id>/", views.session_view, name="session"),
    path("hold/<int:session_id>/tilmeld/", views.session_register, name="register"),
    path("hold/<int:session_id>/fremmoede/", views.attendance, name="attendance"),
    path(f"{REGISTRATION}afmeld/", views.registration_cancel, name="cancel"),
    path(f"{REGISTRATION}accepter/", views.registration_accept, name="accept"),
    path(f"{REGISTRATION}kalender.ics", views.registration_calendar, name="calendar"),
    path(f"{REGISTRATION}kursusbevis.pdf", views.certificate, name="certificate"),
]
