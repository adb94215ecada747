"""Reads for the signed-in user's own account: sessions, tokens, memberships, devices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from vejud.access.units import coordinated_units
from vejud.accounts.models import (
    ApiToken,
    AuthenticatorDevice,
    Membership,
    User,
    UserSession,
)


def has_confirmed_totp(user: User) -> bool:
    """Return True if the user has finished setting up an authenticator app."""
    return AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists()


def active_sessions_for(user: User) -> QuerySet[UserSession]:
    """Return the user's sessions that can still be used (not ended, not expired)."""
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return UserSession.objects.filter(
        user=user, ended_at__isnull=True, session_key__in=live
    ).order_by("-last_seen_at")


def get_session_for(user: User, pk: int) -> UserSession:
    """Return one of the user's active sessions; 404 if missing, ended or someone else's."""
    return get_object_or_404(active_sessions_for(user), pk=pk)


def tokens_for(user: User) -> QuerySet[ApiToken]:
    """Return all the user's API tokens, newest first."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def get_token_for(user: User, pk: int) -> ApiToken:
    """Return one of the user's tokens; 404 if missing or someone else's."""
    return get_object_or_404(tokens_for(user), pk=pk)


def memberships_for(user: User) -> QuerySet[Membership]:
    """Return all the user's memberships (current and past) with their units."""
    return (
        Membership.objects.filter(user=user)
        .select_related("unit")
        .order_by("-valid_from", "unit__name")
    )


@dataclass(frozen=True)
class ThrottledMember:
    """A member whose authenticator refuses codes for a while after wrong ones."""

    full_name: str
    email: str
    failures: int
    locked_until: datetime | None  # None: the wait is over, the next code is checked


def second_factor_throttles(coordinator: User) -> list[ThrottledMember]:
    """Members of the units ``coordinator`` coordinates whose second factor saw wrong codes.

    Wrong codes in a row (django-otp's throttle) may mean that someone who knows the member's
    password is guessing: the coordinator sees who, how many and until when codes are refused.
    """
    unit_ids = coordinated_units(coordinator)
    if not unit_ids:
        return []
    members = Membership.objects.active().filter(unit_id__in=unit_ids).values("user_id")
    devices = (
        AuthenticatorDevice.objects.filter(
            user_id__in=members, confirmed=True, throttling_failure_count__gt=0
        )
        .select_related("user")
        .order_by("-throttling_failure_count", "user__full_name")
    )
    throttled = []
    for device in devices:
        allowed, info = device.verify_is_allowed()
        throttled.append(
            ThrottledMember(
                full_name=device.user.full_name,
                email=device.user.email,
                failures=device.throttling_failure_count,
                locked_until=None if allowed else (info or {}).get("locked_until"),
            )
        )
    return throttled
