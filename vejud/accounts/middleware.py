"""Session lifetime, mandatory two-factor login, and the user's language."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware

from vejud.access.rules import scope_data, scope_restore
from vejud.accounts.models import User, UserSession

LOGIN_AT_KEY = "vejud_login_at"
LAST_SEEN_KEY = "vejud_last_seen_at"
ACCESS_KEY = "vejud_access"
ACCESS_RECHECK_SECONDS = 60

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


class SessionOTPMiddleware(OTPMiddleware):
    """django-otp's verification, and the user's scope, checked at most once a minute.

    The session keeps the verified device's id, the scope and the user's access generation
    (``vejud.accounts.generation``). While the generation is unchanged, the day the same and
    the check less than a minute old, a request reads neither the device nor the
    memberships; a membership or device changed anywhere raises the generation, so the
    next request checks again. Access lists and break-glass grants are not kept: each case
    is checked against them on every request.
    """

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        if not user.is_authenticated:
            return super()._verify_user_sync(request, user)
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
        kept = request.session.get(ACCESS_KEY)
        if (
            kept is not None
            and persistent_id
            and _still_valid(kept, user, persistent_id)
            and scope_restore(user, kept.get("scope")) is not None
        ):
            self._init_user_fields(user)
            load = functools.partial(self._device_from_persistent_id, persistent_id)
            user.otp_device = SimpleLazyObject(load)
            return user
        user = super()._verify_user_sync(request, user)
        if user.otp_device is None:
            request.session.pop(ACCESS_KEY, None)
        else:
            request.session[ACCESS_KEY] = {
                "user": user.pk,
                "generation": user.access_generation,
                "device": persistent_id,
                "day": timezone.localdate().isoformat(),
                "at": time.time(),
                "scope": scope_data(user),
            }
        return user


def _still_valid(kept: Any, user: User, persistent_id: str) -> bool:
    """Return True if the session's kept verification and scope still hold for ``user``."""
    return (
        isinstance(kept, dict)
        and user.is_active
        and kept.get("user") == user.pk
        and kept.get("generation") == user.access_generation
        and kept.get("device") == persistent_id
        and kept.get("day") == timezone.localdate().isoformat()
        and 0 <= time.time() - float(kept.get("at", 0)) < ACCESS_RECHECK_SECONDS
    )


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
                from vejud.accounts.models import AuthenticatorDevice

                has_device = AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists()
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
