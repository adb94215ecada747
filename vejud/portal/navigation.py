"""Navigation entries by role: the base layout shows only what the user may use."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vejud.access.rules import Capability, has_capability


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
    (_("Public inquiries"), "frontdoor:queue", Capability.HANDLE_PUBLIC_INQUIRIES),
    (_("Possible existing persons"), "intake:possible_persons", Capability.LINK_INQUIRIES),
    (_("Break the glass"), "cases:break_glass", Capability.BREAK_GLASS),
    (_("Grant applications"), "pool:applications", Capability.VIEW_GRANTS),
    (_("Central pool"), "pool:overview", Capability.VIEW_POOL),
    (_("Statistics"), "statistics:overview", Capability.VIEW_STATISTICS),
    (_("Harmonisation"), "statistics:dashboard", Capability.VIEW_DASHBOARD),
    (_("Case reviews"), "quality:rounds", Capability.CONDUCT_REVIEWS),
    (_("Case reviews"), "quality:mine", Capability.ANSWER_REVIEWS),
    (_("Exits on own hand"), "statistics:own_exits", Capability.RECORD_OWN_EXITS),
    (_("Public pages"), "frontdoor:texts", Capability.EDIT_PUBLIC_TEXTS),
    (_("Advice requests"), "advice:mine", Capability.ASK_ADVICE),
    (_("Advice queue"), "advice:queue", Capability.GIVE_ADVICE),
    (_("Training"), "training:catalogue", Capability.TAKE_TRAINING),
    (_("Training coverage"), "training:coverage", Capability.VIEW_TRAINING_COVERAGE),
    (_("Audit trail"), "audit:events", Capability.VIEW_AUDIT),
    (_("Access log"), "audit:access", Capability.VIEW_AUDIT),
    (_("Break-glass reviews"), "audit:break_glass_queue", Capability.REVIEW_BREAK_GLASS),
    (_("Role grant reviews"), "audit:role_grants", Capability.REVIEW_ROLE_GRANTS),
    (_("Administration"), "admin:index", Capability.ADMINISTER),
    (_("Role grants"), "accounts:role_grants", Capability.GRANT_CASE_ROLES),
    (_("My account"), "accounts:profile", None),
]


def nav_items_for(request: HttpRequest) -> list[NavItem]:
    """Return the navigation entries the signed-in user's roles allow."""
    prefix, urlconf = get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
    entries = [
        (label, _url(name, prefix, urlconf))
        for label, name, capability in NAV
        if capability is None or has_capability(request.user, capability)
    ]
    # Only the most specific entry is current ("/puljen/ansoegninger/" is not also "/puljen/").
    current = max(
        (url for _label, url in entries if request.path.startswith(url)), key=len, default=None
    )
    return [NavItem(label=label, url=url, active=url == current) for label, url in entries]


@functools.cache
def _url(name: str, prefix: str, urlconf: str) -> str:
    """The menu entry's URL, reversed once per script prefix and URL configuration (the same
    for every user and request; reversing the menu's entries cost more than rendering it)."""
    return reverse(name, urlconf=urlconf)
