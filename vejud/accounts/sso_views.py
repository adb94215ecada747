"""Single sign-on pages: start a login at a provider, and its callback (``vejud.accounts.sso``)."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login

from vejud.access.gate import public
from vejud.accounts import invitations
from vejud.accounts.decorators import mark_reauthenticated
from vejud.accounts.models import User
from vejud.accounts.selectors import has_confirmed_totp
from vejud.accounts.sso import (
    SSO_SESSION_KEY,
    SsoLogin,
    SsoRefused,
    backchannel_logout,
    login_buttons,
    refusal_record,
    sso_begin,
    sso_complete,
    user_access_end,
)

LOGGER = logging.getLogger(__name__)
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _next(request: HttpRequest) -> str:
    target = request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("portal:home")


def _refused(
    request: HttpRequest, name: str, message: str, reason: str = "", subject: str = ""
) -> HttpResponse:
    """A login the provider's answer (or its name) does not allow: 400, with the reason;
    recorded in the audit trail (provider, reason, subject when known; no token)."""
    LOGGER.warning("single sign-on refused (%s) at %s", reason or "other", request.path)
    refusal_record(
        name=name,
        reason=reason or "other",
        subject=subject,
        error=request.GET.get("error", "") if reason in ("error", "refused_reauth") else "",
    )
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
        return _refused(request, name, exc.message, exc.reason)


@public
@never_cache
@require_GET
def sso_callback(request: HttpRequest, name: str) -> HttpResponse:
    """The provider's answer: log in the linked user, or refuse with the reason."""
    try:
        login, started = sso_complete(request, name=name)
    except SsoRefused as exc:
        if exc.reason == "refused_reauth" and request.user.is_authenticated:
            return _reauth_refused(request, name, exc)
        return _refused(request, name, exc.message, exc.reason)
    subject = login.subject.subject
    if started.get("reauth"):
        if login.user is None or login.user.pk != request.user.pk:
            message = _("You confirmed as another user than the one signed in.")
            return _refused(request, name, message, "other_user", subject)
        mark_reauthenticated(request)
        return redirect(started["next"])
    token_hash = request.session.pop(invitations.SESSION_KEY, None)
    if token_hash:
        accepted = _accept_invitation(request, name, token_hash, login)
        if isinstance(accepted, HttpResponse):
            return accepted
        login = accepted
    if login.user is None:
        return _no_user(request, name, login)
    return _log_in(request, login, name, started["next"])


def _no_user(request: HttpRequest, name: str, login: SsoLogin) -> HttpResponse:
    """A provider login with no (active) user: no session; the refusal in the audit trail."""
    auth_logout(request)
    subject = login.subject.subject
    if login.subject.confirmed:  # linked, but the user is deactivated
        message = _("Your vejud user is deactivated. Ask your administrator.")
        return _refused(request, name, message, "deactivated", subject)
    refusal_record(name=name, reason="unlinked", subject=subject)
    return render(request, "accounts/sso_unlinked.html", {"login": login}, status=403)


def _accept_invitation(
    request: HttpRequest, name: str, token_hash: str, login: SsoLogin
) -> SsoLogin | HttpResponse:
    """Link the provider's subject to the invited user; the refusal page if the link is bad."""
    try:
        user = invitations.invitation_accept(token_hash=token_hash, subject=login.subject)
    except invitations.InvitationRefused as exc:
        auth_logout(request)
        refusal_record(name=name, reason=exc.problem.value, subject=login.subject.subject)
        context = {"message": exc.message}
        return render(request, "accounts/invitation_refused.html", context, status=400)
    return replace(login, user=user)


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


def _reauth_refused(request: HttpRequest, name: str, exc: SsoRefused) -> HttpResponse:
    """The provider refused to confirm the signed-in user's login again (their account is
    disabled there, or they gave up): their access ends as after a back-channel logout —
    every session and API token — and they must sign in anew. Fail closed."""
    user = request.user
    assert isinstance(user, User)
    user_access_end(user=user, now=timezone.now(), reason="reauth_refused", provider_name=name)
    auth_logout(request)
    return _refused(request, name, exc.message, exc.reason)


@public
@csrf_exempt
@never_cache
@require_POST
def sso_backchannel_logout(request: HttpRequest, name: str) -> HttpResponse:
    """OpenID Connect Back-Channel Logout: the provider posts a signed ``logout_token``; the
    subject's sessions and API tokens end (``vejud.accounts.sso.backchannel_logout``)."""
    try:
        backchannel_logout(name=name, logout_token=request.POST.get("logout_token", ""))
    except SsoRefused as exc:
        LOGGER.warning("back-channel logout refused (%s) for %s", exc.reason, name)
        refusal_record(name=name, reason=f"logout_{exc.reason}")
        return JsonResponse(
            {"error": "invalid_request", "error_description": str(exc.message)}, status=400
        )
    return HttpResponse(status=200)


@public
@never_cache
@require_GET
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation link: the person signs in at a provider next, and their provider login is
    linked to the invited user (``vejud.accounts.invitations``). A wrong, expired or used link
    is refused (400) with the reason and links nothing."""
    try:
        opened = invitations.invitation_open(request, token)
    except invitations.InvitationRefused as exc:
        request.session.pop(invitations.SESSION_KEY, None)
        refusal_record(name="", reason=exc.problem.value)
        refused = {"message": exc.message}
        return render(request, "accounts/invitation_refused.html", refused, status=400)
    context: dict[str, Any] = {
        "invitation": opened,
        "sso_providers": login_buttons(),
        "next": reverse("portal:home"),
    }
    return render(request, "accounts/invitation.html", context)
