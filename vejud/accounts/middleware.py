"""Session lifetime, mandatory two-factor login, and the user's language."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation

from vejud.accounts.models import UserSession

LOGIN_AT_KEY = "vejud_login_at"
LAST_SEEN_KEY = "vejud_last_seen_at"

# Paths a signed-in user without a verified second factor may still reach.
MFA_EXEMPT_PREFIXES = ("/static/", "/api/", "/i18n/", "/healthz")


class SessionLifetimeMiddleware:
    """End sessions older than the absolute limit (idle expiry is the cookie age)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        login_at = request.session.get(LOGIN_AT_KEY)
        if (
            login_at is not None
            and time.time() - float(login_at) > settings.VEJUD_SESSION_ABSOLUTE_SECONDS
        ):
            request.session.flush()
            response = redirect(settings.LOGIN_URL)
            return response
        return self.get_response(request)


class MFARequiredMiddleware:
    """Send a signed-in user who has not passed the second factor to verify or enrol."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not user.is_verified():  # type: ignore[attr-defined]
            path = request.path
            exempt = {
                reverse("accounts:otp_verify"),
                reverse("accounts:otp_setup"),
                reverse("accounts:logout"),
            }
            if path not in exempt and not path.startswith(MFA_EXEMPT_PREFIXES):
                from django_otp.plugins.otp_totp.models import TOTPDevice

                has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
                target = "accounts:otp_verify" if has_device else "accounts:otp_setup"
                return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        if user.is_authenticated and user.is_verified():  # type: ignore[attr-defined]
            self._touch(request)
        return self.get_response(request)

    @staticmethod
    def _touch(request: HttpRequest) -> None:
        now = time.time()
        last = float(request.session.get(LAST_SEEN_KEY, 0))
        if now - last > 60 and request.session.session_key:
            request.session[LAST_SEEN_KEY] = now
            UserSession.objects.filter(session_key=request.session.session_key).update(
                last_seen_at=timezone.now()
            )


class UserLanguageMiddleware:
    """Activate the signed-in user's chosen language (Danish by default)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and getattr(user, "language", None):
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
