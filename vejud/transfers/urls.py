"""Transfer routes. Mounted at the site root: the case actions (``actions.py``) live under
"sager/", and the receiver's page under "overdragelser/" because the receiver cannot open
the case yet."""

from django.urls import include, path

from vejud.actions.pages import action_urls
from vejud.transfers import views
from vejud.transfers.actions import ACTIONS

app_name = "transfers"
urlpatterns = [
    path("overdragelser/", views.incoming, name="incoming"),
    path("sager/", include(action_urls(ACTIONS))),
]
