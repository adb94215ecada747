"""Template context of the site shell: the menu."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest

from vejud.portal.navigation import nav_items_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Return the navigation entries for the signed-in user's roles.

    Built only when a template shows them (the template calls the value once, then it is
    kept): a page or partial without the menu costs nothing for it.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": functools.cache(functools.partial(nav_items_for, request))}
