"""Case pages under /sager/. Fixed paths come before ``<reference>/`` so they are not read as one."""

from __future__ import annotations

from django.urls import path

from vejud.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("vis-navne/", views.reveal_names, name="reveal_names"),
    path("bryd-glasset/", views.break_glass, name="break_glass"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/cpr/", views.reveal_cpr, name="reveal_cpr"),
    path("<str:reference>/trusler/", views.reveal_threats, name="reveal_threats"),
    path("<str:reference>/journal/", views.journal_add, name="journal_add"),
    path(
        "<str:reference>/journal/<int:entry_id>/ret/",
        views.journal_correct,
        name="journal_correct",
    ),
    path(
        "<str:reference>/beskyttet-adresse/",
        views.protected_address,
        name="protected_address",
    ),
    path(
        "<str:reference>/beskyttet-adresse/ny/",
        views.protected_address_new,
        name="protected_address_new",
    ),
    path(
        "<str:reference>/beskyttet-adresse/rediger/",
        views.protected_address_edit,
        name="protected_address_edit",
    ),
    path(
        "<str:reference>/beskyttet-adresse/vaerger/",
        views.custodian_add,
        name="custodian_add",
    ),
]
