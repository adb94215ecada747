"""Single sign-on pages: start a login at a provider, and its callback (``vejud.accounts.sso``)."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_otp import login as otp_login

from vejud.access.gate import public
from vejud.accounts.decorators import mark_reauthenticated
from vejud.accounts.selectors import has_confirmed_totp
from vejud.accounts.sso import SSO_SESSION_KEY, SsoLogin, SsoRefused, sso_begin, sso_complete

LOGGER = logging.getLogger(__name__)
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _next(request: HttpRequest) -> str:
    target = request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("portal:home")


def _refused(request: HttpRequest, message: str, reason: str = "") -> HttpResponse:
    """A login the provider's answer (or its name) does not allow: 400, with the reason."""
    LOGGER.warning("single sign-on refused (%s) at %s", reason or "other", request.path)
    return render(request, "accounts/sso_refused.html", {"message": message}, status=400)


@public
@never_cache
@require_GET
def sso_start(request: HttpRequest, name: str) -> HttpResponse:
    """Send the browser to provider ``name``'s login (``?reauth=1``: ask for it again)."""
    reauth = request.GET.get("reauth") == "1" and request.user.is_authenticated
    try:
        return redirect(sso_begin(request, name=name, next_url=_next(request), reauth=reauth))
    except SsoRefused as exc:
        return _refused(request, exc.message, exc.reason)


@public
@never_cache
@require_GET
def sso_callback(request: HttpRequest, name: str) -> HttpResponse:
    """The provider's answer: log in the linked user, or refuse with the reason."""
    try:
        login, started = sso_complete(request, name=name)
    except SsoRefused as exc:
        return _refused(request, exc.message, exc.reason)
    if started.get("reauth"):
        if login.user is None or login.user.pk != request.user.pk:
            return _refused(request, _("You confirmed as another user than the one signed in."))
        mark_reauthenticated(request)
        return redirect(started["next"])
    if login.user is None:
        auth_logout(request)
        if login.subject.confirmed:  # linked, but the user is deactivated
            return _refused(request, _("Your vejud user is deactivated. Ask your administrator."))
        return render(request, "accounts/sso_unlinked.html", {"login": login}, status=403)
    return _log_in(request, login, name, started["next"])


def _log_in(request: HttpRequest, login: SsoLogin, name: str, next_url: str) -> HttpResponse:
    """Start the session; the provider's second factor counts only when accepted."""
    assert login.user is not None
    auth_login(request, login.user, backend=MODEL_BACKEND)
    request.session[SSO_SESSION_KEY] = {"provider": name, "id_token": login.id_token}
    if login.second_factor:
        otp_login(request, login.subject)
        mark_reauthenticated(request)
        return redirect(next_url)
    step = "accounts:otp_verify" if has_confirmed_totp(login.user) else "accounts:otp_setup"
    return redirect(f"{reverse(step)}?{urlencode({'next': next_url})}")
