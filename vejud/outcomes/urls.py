from vejud.actions.pages import action_urls
from vejud.outcomes.actions import ACTIONS

app_name = "outcomes"
urlpatterns = [*action_urls(ACTIONS)]
