from django.urls import path

from vejud.exports import views

app_name = "exports"
urlpatterns = [
    path("", views.export_list, name="list"),
    path("ny/", views.export_new, name="new"),
    path("<int:pk>/", views.export_detail, name="detail"),
    path("<int:pk>/fil/", views.export_file, name="file"),
]
