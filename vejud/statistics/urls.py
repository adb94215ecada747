from django.urls import path

from vejud.statistics import views

app_name = "statistics"
urlpatterns = [path("", views.overview, name="overview")]
