"""Transfer routes. Mounted at the site root: the case routes live under "sager/", and the
receiver's page under "overdragelser/" because the receiver cannot open the case yet."""

from django.urls import path

from vejud.transfers import views

app_name = "transfers"
urlpatterns = [
    path("overdragelser/", views.incoming, name="incoming"),
    path("sager/<str:reference>/overdragelser/ny/", views.transfer_new, name="new"),
    path(
        "sager/<str:reference>/overdragelser/<int:transfer_id>/annuller/",
        views.transfer_cancel_view,
        name="cancel",
    ),
    path("sager/<str:reference>/loesladelse/", views.release_plan, name="release_plan"),
    path("sager/<str:reference>/loesladelse/dato/", views.release_date, name="release_date"),
    path(
        "sager/<str:reference>/loesladelse/overdragelse/",
        views.release_transfer,
        name="release_transfer",
    ),
]
