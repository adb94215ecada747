"""The courses panel on the case page (registered with vejud.actions.panels)."""

from vejud.actions.panels import Panel, register_panel
from vejud.courses.templatetags.courses import course_panel

register_panel(Panel("course", 20, "courses/_course_panel.html", course_panel))
