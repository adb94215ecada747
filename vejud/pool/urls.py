"""Central pool routes. Mounted at the site root: the pool's own pages live under "puljen/",
the pages of one case's grants under "sager/<reference>/puljen/"."""

from __future__ import annotations

from django.urls import path

from vejud.pool import views

app_name = "pool"
CASE = "sager/<str:reference>/puljen/"
APPLICATION = f"{CASE}<int:application_id>/"

urlpatterns = [
    path("puljen/", views.overview, name="overview"),
    path("puljen/ansoegninger/", views.applications, name="applications"),
    path("puljen/budget/", views.budget, name="budget"),
    path("puljen/retningslinjer/", views.guidelines, name="guidelines"),
    path("puljen/retningslinjer/ny/", views.guideline_new, name="guideline_new"),
    path("puljen/<int:year>/forbrug.svg", views.chart, name="chart"),
    path("puljen/<int:year>/aarsrapport.xlsx", views.report_xlsx, name="report_xlsx"),
    path("puljen/<int:year>/aarsrapport.pdf", views.report_pdf, name="report_pdf"),
    path(CASE, views.case_grants, name="case_grants"),
    path(f"{CASE}ny/", views.apply, name="apply"),
    path(APPLICATION, views.application_detail, name="application"),
    path(f"{APPLICATION}bilag/", views.attachment_upload, name="attachment_add"),
    path(
        f"{APPLICATION}bilag/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path(f"{APPLICATION}afgoer/", views.decide, name="decide"),
    path(f"{APPLICATION}svar/", views.answer, name="answer"),
    path(f"{APPLICATION}traek-tilbage/", views.withdraw, name="withdraw"),
    path(f"{APPLICATION}betaling/", views.payment, name="payment"),
    path(f"{APPLICATION}frigiv/", views.release, name="release"),
    path(f"{APPLICATION}afgoerelse.pdf", views.letter, name="letter"),
]
