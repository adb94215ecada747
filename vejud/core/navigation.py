"""Navigation entries by role: the base layout shows only what the user may use."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vejud.cases.permissions import Capability, scope_for


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url: str
    active: bool


NAV: list[tuple[str | Promise, str, Capability | None]] = [
    (_("Caseload"), "cases:caseload", Capability.VIEW_CASES),
    (_("Tasks"), "worklist:tasks", Capability.VIEW_CASES),
    (_("Incoming transfers"), "transfers:incoming", Capability.WRITE_JOURNAL),
    (_("New inquiry"), "intake:inquiry_new", Capability.WRITE_JOURNAL),
    (_("Break the glass"), "cases:break_glass", Capability.BREAK_GLASS),
    (_("Audit trail"), "audit:events", Capability.VIEW_AUDIT),
    (_("Access log"), "audit:access", Capability.VIEW_AUDIT),
    (_("Break-glass reviews"), "audit:break_glass_queue", Capability.REVIEW_BREAK_GLASS),
    (_("Administration"), "admin:index", Capability.ADMINISTER),
    (_("My account"), "accounts:profile", None),
]


def nav_items_for(request: HttpRequest) -> list[NavItem]:
    """Return the navigation entries the signed-in user's roles allow."""
    scope = scope_for(request.user)
    items = []
    for label, name, capability in NAV:
        if capability is not None and not scope.has(capability):
            continue
        url = reverse(name)
        items.append(NavItem(label=label, url=url, active=request.path.startswith(url)))
    return items
