from django.urls import path

from vejud.followup import views

app_name = "followup"
urlpatterns = [
    path("<str:reference>/opfoelgning/ny/", views.review_new, name="review_new"),
    path(
        "<str:reference>/opfoelgning/advarsler/<int:warning_id>/loes/",
        views.warning_resolve_view,
        name="warning_resolve",
    ),
    path("<str:reference>/opfoelgning/graf.svg", views.chart, name="chart"),
]
