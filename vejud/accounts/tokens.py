"""Personal API tokens: created once (shown once), stored only as a hash, revocable."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from vejud.accounts.models import ApiToken, User
from vejud.audit.services import audit_record, audited
from vejud.core.limits import required_text
from vejud.core.records import save_fields


def token_create(
    *, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; return it and the raw secret (never stored).

    Without ``expires_at`` it lives ``VEJUD_API_TOKEN_DAYS``; it may not outlive
    ``VEJUD_API_TOKEN_MAX_DAYS``.
    """
    name = required_text(name, _("Give the token a name."), code="name_required")
    now = timezone.now()
    if expires_at is None:
        expires_at = now + timedelta(days=settings.VEJUD_API_TOKEN_DAYS)
    if expires_at <= now:
        raise ValidationError(_("The expiry must be in the future."), code="expiry")
    if expires_at > now + timedelta(days=settings.VEJUD_API_TOKEN_MAX_DAYS):
        raise ValidationError(
            _("A token may live at most %(days)d days.")
            % {"days": settings.VEJUD_API_TOKEN_MAX_DAYS},
            code="expiry",
        )
    raw = ApiToken.PREFIX + secrets.token_urlsafe(32)
    with audited():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            token_hash=ApiToken.hash_token(raw),
            hint=raw[: len(ApiToken.PREFIX) + 4],
            expires_at=expires_at,
        )
        audit_record(
            actor=user,
            action="account.token_create",
            obj=token,
            changes={"name": token.name, "hint": token.hint, "expires_at": token.expires_at},
        )
    return token, raw


def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token; only its owner may."""
    if token.user_id != actor.pk:
        raise PermissionDenied
    if token.revoked_at is None:
        with audited():
            save_fields(token, revoked_at=timezone.now())
            audit_record(
                actor=actor,
                action="account.token_revoke",
                obj=token,
                changes={"name": token.name, "hint": token.hint},
            )
    return token


def user_for_token(raw: str) -> Any:
    """Return the active user owning a usable token ``raw``, or None."""
    if not raw or not raw.startswith(ApiToken.PREFIX):
        return None
    oldest = timezone.now() - timedelta(days=settings.VEJUD_API_TOKEN_MAX_DAYS)
    token = (
        ApiToken.objects.usable()
        .select_related("user")
        .filter(token_hash=ApiToken.hash_token(raw), created_at__gt=oldest)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
