from django.urls import path

from vejud.worklist import views

app_name = "worklist"
urlpatterns = [
    path("", views.tasks, name="tasks"),
    path("sag/<str:reference>/", views.case_tasks, name="case_tasks"),
]
