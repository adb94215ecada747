"""Template context of the site shell: the menu."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from vejud.portal.navigation import NavItem, nav_items_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Return the navigation entries for the signed-in user's roles, and the menu's entries
    rendered (``nav_menu``: base.html shows them twice, in the mobile drawer and the menu bar,
    and renders them once).

    Both are built only when a template shows them (the template calls the value once, then
    it is kept): a page or partial without the menu costs nothing for it.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_menu": ""}
    items = functools.cache(functools.partial(nav_items_for, request))
    return {"nav_items": items, "nav_menu": functools.cache(functools.partial(_menu, items))}


def _menu(items: Callable[[], list[NavItem]]) -> SafeString:
    return render_to_string("portal/_menu_items.html", {"nav_items": items()})
