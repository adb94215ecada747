"""The bare server's two pages: a login (for the benchmark's client) and ``/ping/``."""

from __future__ import annotations

from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from bench.bare.models import User


@require_POST
def sign_in(request: HttpRequest) -> HttpResponse:
    """Log in with e-mail and password (no CSRF middleware here: the loopback client only)."""
    user = authenticate(
        request, email=request.POST.get("email", ""), password=request.POST.get("password", "")
    )
    if user is None:
        return HttpResponseForbidden()
    login(request, user)
    return redirect("/ping/")


@login_required
@require_GET
def ping(request: HttpRequest) -> HttpResponse:
    """The signed-in user's name from one indexed query, in a tiny template."""
    name = User.objects.filter(pk=request.user.pk).values_list("full_name", flat=True).first()
    return render(request, "ping.html", {"name": name or ""})


urlpatterns = [path("login/", sign_in), path("ping/", ping)]
