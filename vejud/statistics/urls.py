from django.urls import path

from vejud.statistics import views

app_name = "statistics"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("egne-exits/", views.own_exits, name="own_exits"),
    path("harmonisering/", views.dashboard, name="dashboard"),
]
