"""The site shell above the domain apps: the front door, the menu, ping and the error pages.

``vejud.core`` below every app holds infrastructure only; whatever needs to know the
domain apps (the menu by capability, the case status badge filter) lives here.
"""
