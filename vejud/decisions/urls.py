from django.urls import path

from vejud.decisions import views

app_name = "decisions"
urlpatterns = [
    path("<str:reference>/overgang/", views.transition, name="transition"),
    path("<str:reference>/afgoerelse/", views.unit_decision, name="unit_decision"),
    path("<str:reference>/forelaeggelse/", views.referral_new, name="referral_new"),
    path("<str:reference>/endelig-afgoerelse/", views.final_decision, name="final_decision"),
    path("<str:reference>/oplysninger/", views.information_request_new, name="information_request"),
    path(
        "<str:reference>/oplysninger/<int:request_id>/svar/",
        views.information_answer_view,
        name="information_answer",
    ),
    path("<str:reference>/afgoerelser/<int:decision_id>/brev.pdf", views.letter, name="letter"),
]
