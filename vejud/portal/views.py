"""The front door (/), the health check (/healthz) and the not-found page."""

from __future__ import annotations

import re

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from vejud.access.gate import authenticated, public
from vejud.access.rules import Capability, has_capability
from vejud.accounts.models import User
from vejud.frontdoor.pages import render_start
from vejud.portal.navigation import nav_items_for

REFERENCE_IN_PATH = re.compile(r"/(EX-[0-9]{4}-[0-9]{5})/")


@public
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The public start page for those not signed in; a signed-in user goes to the caseload, or
    to the first page their roles allow."""
    if not request.user.is_authenticated:
        return render_start(request)
    if has_capability(request.user, Capability.VIEW_CASES):
        return redirect("cases:caseload")
    # Break the glass is an exceptional act, never a landing page (auditors have it too).
    exceptional = reverse("cases:break_glass")
    items = [item for item in nav_items_for(request) if item.url != exceptional]
    return redirect(items[0].url if items else reverse("accounts:profile"))


@authenticated
@never_cache
@require_GET
def ping(request: HttpRequest) -> HttpResponse:
    """Show the signed-in user's name from one indexed query: the cost of the framework alone.

    ``bench/run`` measures every page against this one (same middleware, same server).
    """
    user_id = request.user.pk or 0  # the gate admits signed-in users only
    name = User.objects.filter(pk=user_id).values_list("full_name", flat=True).first()
    return render(request, "portal/ping.html", {"name": name or ""})


@public
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer {"status": "ok"} when the application can reach its database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error"}, status=503)
    return JsonResponse({"status": "ok"})


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Render the 404 page; users who may break the glass are pointed to it.

    The page is the same whether the case does not exist or is not the user's.
    """
    user = getattr(request, "user", None)
    can_break_glass = bool(
        user is not None and user.is_authenticated and has_capability(user, Capability.BREAK_GLASS)
    )
    match = REFERENCE_IN_PATH.search(request.path) if can_break_glass else None
    context = {
        "can_break_glass": can_break_glass,
        "reference": match.group(1) if match else "",
        "request_path": request.path,
    }
    body = loader.render_to_string("404.html", context, request=request)
    response = HttpResponseNotFound(body)
    response.vejud_own_page = True  # type: ignore[attr-defined]  # see portal.middleware
    return response
