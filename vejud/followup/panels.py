"""The followup panel on the case page (registered with vejud.actions.panels)."""

from vejud.actions.panels import Panel, register_panel
from vejud.followup.templatetags.followup import followup_panel

register_panel(Panel("followup", 30, "followup/_followup_panel.html", followup_panel))
