"""Central pool routes. Mounted at the site root: the pool's own pages live under "puljen/",
the pages of one case's grants under "sager/<reference>/puljen/"."""

from __future__ import annotations

from django.urls import path

from vejud.pool import views
from vejud.pool.actions import GRANT_ACTIONS

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
    path(
        f"{APPLICATION}bilag/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path(f"{APPLICATION}afgoerelse.pdf", views.letter, name="letter"),
    # The actions on an application (vejud.pool.actions), one generic page each.
    *(path(f"{APPLICATION}{a.slug}", views.step_view(a), name=a.url_name) for a in GRANT_ACTIONS),
]
