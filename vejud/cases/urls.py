"""Case pages under /sager/. Fixed paths come before ``<reference>/`` so they are not read as one."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from vejud.cases import views

# The pages of the protected address of a case's person, under "beskyttet-adresse/".
address_pages = [
    path("", views.protected_address, name="protected_address"),
    path("ny/", views.protected_address_new, name="protected_address_new"),
    path("rediger/", views.protected_address_edit, name="protected_address_edit"),
    path("vaerger/", views.custodian_add, name="custodian_add"),
]

# The pages of one case, under its reference.
case_pages: list[URLPattern | URLResolver] = [
    path("", views.detail, name="detail"),
    path("cpr/", views.reveal_cpr, name="reveal_cpr"),
    path("trusler/", views.reveal_threats, name="reveal_threats"),
    path("journal/", views.journal_add, name="journal_add"),
    path("journal/<int:entry_id>/ret/", views.journal_correct, name="journal_correct"),
    path("beskyttet-adresse/", include(address_pages)),
]

app_name = "cases"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("vis-navne/", views.reveal_names, name="reveal_names"),
    path("bryd-glasset/", views.break_glass, name="break_glass"),
    path("<str:reference>/", include(case_pages)),
]
