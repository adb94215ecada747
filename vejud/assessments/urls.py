from django.urls import path

from vejud.assessments import views

app_name = "assessments"
urlpatterns = [
    path("<str:reference>/vurdering/<str:kind>/", views.instrument_edit, name="edit"),
    path(
        "<str:reference>/vurdering/<str:kind>/underskriv/", views.instrument_sign_view, name="sign"
    ),
    path(
        "<str:reference>/vurdering/<str:kind>/ret/", views.instrument_correct_view, name="correct"
    ),
]
