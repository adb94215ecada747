"""The decisions panel on the case page (registered with vejud.actions.panels)."""

from vejud.actions.panels import Panel, register_panel
from vejud.decisions.templatetags.process import process_panel

register_panel(Panel("process", 10, "decisions/_process_panel.html", process_panel))
