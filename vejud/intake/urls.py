from django.urls import path

from vejud.intake import views

app_name = "intake"
urlpatterns = [
    path("ny-henvendelse/", views.inquiry_new, name="inquiry_new"),
    path("mulige-personer/", views.possible_persons, name="possible_persons"),
    path(
        "mulige-personer/<int:match_id>/",
        views.possible_person_decide,
        name="possible_person_decide",
    ),
    path("<str:reference>/samtykke/", views.consent_new, name="consent_new"),
    path(
        "<str:reference>/samtykke/<int:consent_id>/tilbagekald/",
        views.consent_withdraw_view,
        name="consent_withdraw",
    ),
]
