"""The case page's panels, registered by the apps (``<app>/panels.py``) in the order shown.

The case page renders them with ``{% case_panels access %}`` (``vejud.actions.templatetags``)
instead of naming each app's panel: a new panel is one ``register_panel`` call. A panel's
``context(template_context, access)`` returns what its template shows (it decides itself
whether the user sees anything: an empty context renders an empty panel).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Panel:
    name: str
    order: int
    template: str
    context: Callable[[Any, Any], Mapping[str, Any]]


PANELS: dict[str, Panel] = {}


def register_panel(panel: Panel) -> Panel:
    """Add ``panel`` to the case page (a name registers once)."""
    known = PANELS.get(panel.name)
    if known is not None and known != panel:
        raise ValueError(f"Case panel {panel.name!r} is registered twice.")
    PANELS[panel.name] = panel
    return panel


def case_panels() -> list[Panel]:
    """Return the registered panels in the order the case page shows them."""
    return sorted(PANELS.values(), key=lambda p: (p.order, p.name))
