"""Exit-course pages under /sager/<reference>/: the course (forløb) and the mentor view."""

from __future__ import annotations

from django.urls import path

from vejud.courses import views

app_name = "courses"
urlpatterns = [
    path("<str:reference>/forloeb/aftale/", views.agreement_edit, name="agreement_edit"),
    path("<str:reference>/forloeb/exitaftale.pdf", views.agreement_document, name="agreement_pdf"),
    path("<str:reference>/forloeb/maal/", views.goal_add, name="goal_add"),
    path(
        "<str:reference>/forloeb/maal/<int:goal_id>/handling/",
        views.action_add,
        name="action_add",
    ),
    path(
        "<str:reference>/forloeb/handlinger/<int:action_id>/",
        views.action_update,
        name="action_update",
    ),
    path("<str:reference>/forloeb/tilbud/", views.offer_add, name="offer_add"),
    path(
        "<str:reference>/forloeb/tilbud/<int:offer_id>/",
        views.offer_update,
        name="offer_update",
    ),
    path("<str:reference>/forloeb/mentor/", views.mentor_assign_view, name="mentor_assign"),
    path(
        "<str:reference>/forloeb/moeder/<int:meeting_id>/loest/",
        views.meeting_resolve,
        name="meeting_resolve",
    ),
    path("<str:reference>/forloeb/afslut/", views.course_close, name="close"),
    path("<str:reference>/forloeb/genaabn/", views.course_reopen, name="reopen"),
    path("<str:reference>/mentor/", views.mentor_view, name="mentor_view"),
]
