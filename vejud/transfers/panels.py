"""The transfers panel on the case page (registered with vejud.actions.panels)."""

from vejud.actions.panels import Panel, register_panel
from vejud.transfers.templatetags.transfers import transfers_panel

register_panel(Panel("transfers", 40, "transfers/_transfers_panel.html", transfers_panel))
