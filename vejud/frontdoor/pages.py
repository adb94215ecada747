"""The public start page, shared by ``/`` (for those not signed in) and ``/exit/``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vejud.frontdoor.texts import sections

RECEIPT_COOKIE = "vejud_receipt"


def render_start(request: HttpRequest) -> HttpResponse:
    """About exit, the help, who decides, protection, custody and contact (editable texts)."""
    return render(request, "frontdoor/start.html", {"sections": sections()})
