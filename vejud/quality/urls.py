from django.urls import path

from vejud.quality import views

app_name = "quality"
urlpatterns = [
    path("runder/", views.rounds, name="rounds"),
    path("runder/<int:round_id>/", views.round_detail, name="round"),
    path("gennemgange/", views.mine, name="mine"),
    path("gennemgange/<int:review_id>/", views.review, name="review"),
    path("gennemgange/<int:review_id>/gem/", views.record, name="record"),
    path("gennemgange/<int:review_id>/laeringspunkt/", views.point, name="point"),
    path("gennemgange/<int:review_id>/send/", views.release, name="release"),
    path("gennemgange/<int:review_id>/svar/", views.answer, name="answer"),
    path("laeringspunkter/", views.learning_points, name="learning_points"),
]
