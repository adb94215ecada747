"""Writes for staff accounts: the second factor, recovery codes, login sessions, language.

Changes a user makes to their own security (enrolling an authenticator, new
recovery codes, ending a session) go into the audit trail; the secrets never do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticToken

from vejud.accounts.models import (
    AuthenticatorDevice,
    RecoveryCode,
    RecoveryCodeDevice,
    User,
    UserSession,
)
from vejud.accounts.selectors import active_sessions_for
from vejud.audit.services import audit_record, audited
from vejud.core.clientip import client_ip
from vejud.core.errors import MessageError
from vejud.core.records import save_fields

TOTP_DEVICE_NAME = "default"
RECOVERY_DEVICE_NAME = "recovery"
RECOVERY_CODE_COUNT = 10
USER_AGENT_MAX = 300


class CodeRejected(MessageError):
    """A second-factor code was wrong, or too many wrong codes came too fast."""

    def __init__(self, message: str, locked_until: datetime | None = None) -> None:
        super().__init__(message)
        self.locked_until = locked_until


@dataclass(frozen=True)
class CodeAccepted:
    device: Device
    recovery_codes_left: int | None  # None when the code came from the authenticator app


def mfa_throttle_max_failures() -> int:
    """The failure count at which django-otp's doubling wait reaches the cap, and stays.

    django-otp waits ``factor * 2 ** (failures - 1)`` seconds after a wrong code; the count
    is held at this value so the wait never exceeds ``VEJUD_MFA_THROTTLE_MAX_SECONDS``.
    """
    factor = max(1, int(settings.OTP_TOTP_THROTTLE_FACTOR))
    cap = max(factor, settings.VEJUD_MFA_THROTTLE_MAX_SECONDS)
    return int(math.log2(cap / factor)) + 1


def _cap_throttle(device: AuthenticatorDevice | RecoveryCodeDevice) -> None:
    highest = mfa_throttle_max_failures()
    if device.throttling_failure_count > highest:
        device.throttling_failure_count = highest
        device.save(update_fields=["throttling_failure_count"])


def _check_device(device: AuthenticatorDevice | RecoveryCodeDevice, code: str) -> bool:
    """Verify ``code`` on ``device`` under django-otp's throttling (capped); raise if throttled."""
    _cap_throttle(device)
    allowed, info = device.verify_is_allowed()
    if not allowed:
        locked_until = (info or {}).get("locked_until")
        raise CodeRejected(
            _("Too many wrong codes. Wait a moment and try again."), locked_until=locked_until
        )
    ok = bool(device.verify_token(code))
    _cap_throttle(device)
    return ok


def code_verify(*, user: User, code: str) -> CodeAccepted:
    """Accept a TOTP code or a one-time recovery code for ``user``; raise CodeRejected if wrong.

    Six digits are checked against the authenticator app, anything else against
    the recovery codes; each device throttles its own failures (1, 2, 4 … s).
    """
    # Raise only after the transaction: a wrong code's throttle count must be committed.
    with transaction.atomic():
        if code.isascii() and code.isdigit() and len(code) == 6:
            device: AuthenticatorDevice | RecoveryCodeDevice | None = (
                AuthenticatorDevice.objects.select_for_update()
                .filter(user=user, confirmed=True)
                .order_by("pk")
                .first()
            )
        else:
            device = (
                RecoveryCodeDevice.objects.select_for_update()
                .filter(user=user, confirmed=True, name=RECOVERY_DEVICE_NAME)
                .first()
            )
        accepted = device is not None and _check_device(device, code)
    if not accepted or device is None:
        raise CodeRejected(_("The code is wrong or has expired."))
    if isinstance(device, RecoveryCodeDevice):
        return CodeAccepted(device=device, recovery_codes_left=device.codes.count())
    return CodeAccepted(device=device, recovery_codes_left=None)


def totp_enrolment_start(*, user: User) -> AuthenticatorDevice:
    """Return the user's pending (unconfirmed) authenticator, creating it if needed.

    Refuses when one is already confirmed: replacing it is an administrator's job,
    otherwise a password alone would be enough to swap in a new second factor.
    """
    if AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(_("An authenticator app is already set up."), code="enrolled")
    device = AuthenticatorDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = AuthenticatorDevice.objects.create(
            user=user, name=TOTP_DEVICE_NAME, confirmed=False
        )
    return device


def totp_enrolment_confirm(*, user: User, device: AuthenticatorDevice, code: str) -> list[str]:
    """Confirm a pending authenticator with its first code; return new recovery codes."""
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError(_("This authenticator cannot be confirmed."), code="device")
    with transaction.atomic():
        locked = AuthenticatorDevice.objects.select_for_update().get(pk=device.pk)
        ok = _check_device(locked, code)
    if not ok:
        raise CodeRejected(_("The code is wrong or has expired."))
    with audited():
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        AuthenticatorDevice.objects.filter(user=user, confirmed=False).delete()
        audit_record(actor=user, action="account.mfa_enrol", obj=locked)
        return _recovery_codes_replace(user)


def recovery_codes_generate(*, user: User) -> list[str]:
    """Replace the user's recovery codes with new ones; return them (shown once)."""
    with audited():
        codes = _recovery_codes_replace(user)
        device = RecoveryCodeDevice.objects.get(user=user, name=RECOVERY_DEVICE_NAME)
        audit_record(
            actor=user, action="account.recovery_codes", obj=device, changes={"count": len(codes)}
        )
        return codes


def _recovery_codes_replace(user: User) -> list[str]:
    device, _created = RecoveryCodeDevice.objects.select_for_update().get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.codes.all().delete()
    device.throttle_reset(commit=True)
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(StaticToken.random_token())
    RecoveryCode.objects.bulk_create(RecoveryCode(device=device, code=code) for code in codes)
    return sorted(codes)


def recovery_codes_left(*, user: User) -> int:
    """Return how many unused recovery codes the user has."""
    return RecoveryCode.objects.filter(
        device__user=user, device__name=RECOVERY_DEVICE_NAME, device__confirmed=True
    ).count()


def recovery_code_format(code: str) -> str:
    """Return a recovery code split in two halves for reading aloud and typing."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


# Login sessions ---------------------------------------------------------------


def _client_ip(request: HttpRequest) -> str | None:
    return client_ip(request) or None


def user_session_start(*, request: HttpRequest, user: User) -> UserSession:
    """Record the session the user just logged in with."""
    if request.session.session_key is None:
        request.session.save()
    key = request.session.session_key
    assert key is not None
    now = timezone.now()
    session, _created = UserSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "created_at": now,
            "last_seen_at": now,
            "ip_address": _client_ip(request),
            "user_agent": request.headers.get("User-Agent", "")[:USER_AGENT_MAX],
            "ended_at": None,
        },
    )
    return session


def user_session_mark_ended(*, session_key: str | None) -> None:
    """Mark a session ended (the user logged out; the session itself is being flushed)."""
    if session_key:
        UserSession.objects.filter(session_key=session_key, ended_at__isnull=True).update(
            ended_at=timezone.now()
        )


def _delete_django_session(session_key: str) -> None:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    store().delete(session_key)


def _session_end(actor: User | None, session: UserSession, now: datetime) -> None:
    """Delete the Django session behind ``session``, mark it ended and audit it."""
    _delete_django_session(session.session_key)
    save_fields(session, ended_at=now)
    audit_record(
        actor=actor,
        action="account.session_end",
        obj=session,
        changes={"ip_address": session.ip_address, "created_at": session.created_at},
    )


def user_session_end(*, actor: User, session: UserSession) -> None:
    """End one of the actor's sessions: it is logged out at its next request."""
    if session.user_id != actor.pk:
        raise ValidationError(_("Not your session."), code="owner")
    with audited():
        _session_end(actor, session, timezone.now())


def user_sessions_end_others(*, actor: User, current_key: str | None) -> int:
    """End all of the actor's sessions except ``current_key``; return how many."""
    sessions = list(active_sessions_for(actor).exclude(session_key=current_key or ""))
    if not sessions:
        return 0
    with audited():
        now = timezone.now()
        for session in sessions:
            _session_end(actor, session, now)
    return len(sessions)


def user_sessions_end_all(*, user: User, now: datetime) -> int:
    """End every active session of ``user`` (inside the caller's audit scope; by the system)."""
    sessions = list(active_sessions_for(user))
    for session in sessions:
        _session_end(None, session, now)
    return len(sessions)


def user_language_set(*, user: User, language: str) -> User:
    """Set the language the whole interface uses for ``user``."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Unknown language."), code="language")
    user.language = language
    user.save(update_fields=["language"])
    return user
