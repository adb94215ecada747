"""The pool panel on the case page (registered with vejud.actions.panels)."""

from vejud.actions.panels import Panel, register_panel
from vejud.pool.templatetags.pool import grants_panel

register_panel(Panel("grants", 50, "pool/_grants_panel.html", grants_panel))
