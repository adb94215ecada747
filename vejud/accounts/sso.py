"""Staff single sign-on with OpenID Connect (mozilla-django-oidc), several providers at once.

The authorisation code flow with PKCE (S256), ``state`` and ``nonce``: mozilla-django-oidc
keeps them in the session keyed by ``state`` and each is used once (a replayed callback
finds no state). The provider's endpoints come from its discovery document; its signing
keys from its JWKS, fetched at each login so a rotated key is picked up at once. The ID
token's signature, ``iss``, ``aud``, ``exp`` and ``iat`` are checked here (the library
checks the signature and the nonce only).

A user is found by issuer + ``sub`` (``ProviderSubject``), never by e-mail. The login counts
as two-factor only when the token's ``acr`` or one of its ``amr`` values is among the
provider's accepted values (``VEJUD_OIDC_<NAME>_ACR_VALUES``); otherwise vejud's own TOTP
step follows, as after a password.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import (
    add_state_and_verifier_and_nonce_to_session,
    generate_code_challenge,
)

from vejud.accounts.models import ApiToken, ProviderEvent, ProviderSubject, User
from vejud.accounts.services import user_sessions_end_all
from vejud.audit.services import audit_record, audited
from vejud.core.errors import MessageError
from vejud.core.records import save_fields

LOGGER = logging.getLogger(__name__)

SSO_SESSION_KEY = "vejud_sso"  # {"provider", "id_token"}: for RP-initiated logout
STATES_KEY = "oidc_states"  # mozilla-django-oidc's: state -> nonce, code_verifier, added_on
PROVIDER_OF_STATE_KEY = "vejud_sso_states"  # state -> provider name
DISCOVERY_SECONDS = 3600
CLOCK_LEEWAY_SECONDS = 60
REAUTH_LEEWAY_SECONDS = 5  # auth_time is whole seconds
BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
LOGOUT_TOKEN_MAX_AGE_SECONDS = 300  # a logout token issued longer ago is refused
LOGOUT_JTI_KEEP_DAYS = 2  # seen jti values older than this can go (their iat is refused)
ID_TOKEN_CLAIMS = ["iss", "aud", "exp", "iat", "sub"]
LOGOUT_TOKEN_CLAIMS = ["iss", "aud", "iat", "jti", "events", "sub"]

# Why a token that does not decode is refused: the first error class it is an instance of
# gives the message for the user and the reason (the last, PyJWTError, catches the rest).
DECODE_REFUSALS: tuple[tuple[type[jwt.PyJWTError], str, str], ...] = (
    (jwt.ExpiredSignatureError, gettext_noop("The sign-in has expired. Sign in again."), "expired"),
    (
        jwt.InvalidAudienceError,
        gettext_noop("The sign-in was issued for another application (wrong audience)."),
        "aud",
    ),
    (
        jwt.InvalidIssuerError,
        gettext_noop("The sign-in came from another identity provider."),
        "iss",
    ),
    (
        jwt.PyJWTError,
        gettext_noop("The signature on the sign-in could not be verified."),
        "signature",
    ),
)

_discovered: dict[str, tuple[float, dict[str, Any]]] = {}


class SsoRefused(MessageError):
    """A login through a provider was refused; ``message`` says why, for the user."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class SsoLogin:
    subject: ProviderSubject
    user: User | None  # None: not linked yet
    second_factor: bool  # the token's acr/amr is among the accepted values
    id_token: str


def providers() -> dict[str, dict[str, Any]]:
    """The configured providers by name (``VEJUD_OIDC_PROVIDERS``)."""
    return dict(settings.VEJUD_OIDC_PROVIDERS)


def provider(name: str) -> dict[str, Any] | None:
    return providers().get(name)


def discovery(config: dict[str, Any]) -> dict[str, Any]:
    """The provider's discovery document (cached an hour); its issuer must be the configured."""
    issuer = str(config["issuer"])
    cached = _discovered.get(issuer)
    if cached is not None and time.monotonic() - cached[0] < DISCOVERY_SECONDS:
        return cached[1]
    try:
        response = requests.get(
            issuer + "/.well-known/openid-configuration",
            timeout=settings.VEJUD_OIDC_TIMEOUT_SECONDS,
        )
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise SsoRefused(
            _("The identity provider cannot be reached. Try again later."), "discovery"
        ) from exc
    if str(document.get("issuer", "")).rstrip("/") != issuer:
        raise SsoRefused(_("The identity provider is not configured correctly."), "issuer")
    _discovered[issuer] = (time.monotonic(), document)
    return document


def callback_url(request: HttpRequest, name: str) -> str:
    return request.build_absolute_uri(reverse("accounts:sso_callback", args=[name]))


def sso_begin(request: HttpRequest, *, name: str, next_url: str, reauth: bool = False) -> str:
    """Start a login at provider ``name``; return the address of its authorisation endpoint.

    ``reauth``: the provider must ask for the login again (``prompt=login``, ``max_age=0``).
    """
    config = provider(name)
    if config is None:
        raise SsoRefused(_("This identity provider is not configured."), "unknown_provider")
    document = discovery(config)
    state = get_random_string(32)
    verifier = get_random_string(64)
    params = {
        "response_type": "code",
        "scope": config["scopes"],
        "client_id": config["client_id"],
        "redirect_uri": callback_url(request, name),
        "state": state,
        "nonce": get_random_string(32),
        "code_challenge": generate_code_challenge(verifier, "S256"),
        "code_challenge_method": "S256",
    }
    if reauth:
        params.update(prompt="login", max_age="0")
    add_state_and_verifier_and_nonce_to_session(request, state, params, verifier)
    by_state = dict(request.session.get(PROVIDER_OF_STATE_KEY) or {})
    by_state[state] = {"provider": name, "next": next_url, "reauth": reauth, "at": time.time()}
    request.session[PROVIDER_OF_STATE_KEY] = dict(list(by_state.items())[-50:])
    return f"{document['authorization_endpoint']}?{urlencode(params)}"


class ProviderClient(OIDCAuthenticationBackend):
    """mozilla-django-oidc's token exchange and JWKS lookup, configured for one provider."""

    def __init__(self, config: dict[str, Any], document: dict[str, Any]) -> None:
        self._settings = {
            "OIDC_OP_TOKEN_ENDPOINT": document["token_endpoint"],
            "OIDC_OP_USER_ENDPOINT": document.get("userinfo_endpoint", ""),
            "OIDC_OP_JWKS_ENDPOINT": document["jwks_uri"],
            "OIDC_RP_CLIENT_ID": config["client_id"],
            "OIDC_RP_CLIENT_SECRET": config["client_secret"],
            "OIDC_RP_SIGN_ALGO": "RS256",
            "OIDC_TIMEOUT": settings.VEJUD_OIDC_TIMEOUT_SECONDS,
            "OIDC_VERIFY_KID": True,
            "OIDC_USE_NONCE": True,
        }
        self.issuer = str(config["issuer"])
        self.required_claims = ID_TOKEN_CLAIMS
        super().__init__()

    def get_settings(self, attr: str, *args: Any) -> Any:
        if attr in self._settings:
            return self._settings[attr]
        if args:
            return args[0]
        return getattr(settings, attr)

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        """The signature (RS256 only), and the claims the library leaves unchecked."""
        try:
            header = jwt.get_unverified_header(payload)
        except jwt.PyJWTError as exc:
            raise SsoRefused(
                _("The identity provider's answer is not a valid token."), "token"
            ) from exc
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SsoRefused(
                _("The token is signed with an algorithm vejud does not accept."), "alg"
            )
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.issuer,
                leeway=CLOCK_LEEWAY_SECONDS,
                options={"require": list(self.required_claims)},
            )
        except jwt.PyJWTError as exc:
            message, reason = next(
                (message, reason)
                for error, message, reason in DECODE_REFUSALS
                if isinstance(exc, error)
            )
            raise SsoRefused(_(message), reason) from exc


def _pop_state(request: HttpRequest, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Take the callback's state out of the session (used once); refuse an unknown one."""
    state = request.GET.get("state", "")
    states = dict(request.session.get(STATES_KEY) or {})
    by_state = dict(request.session.get(PROVIDER_OF_STATE_KEY) or {})
    flow, mine = states.pop(state, None), by_state.pop(state, None)
    request.session[STATES_KEY] = states
    request.session[PROVIDER_OF_STATE_KEY] = by_state
    request.session.save()
    if flow is None or mine is None or mine.get("provider") != name:
        raise SsoRefused(
            _("This sign-in was already used or was not started in this browser. Start again."),
            "state",
        )
    return flow, mine


def sso_complete(request: HttpRequest, *, name: str) -> tuple[SsoLogin, dict[str, Any]]:
    """Finish a login at provider ``name`` from its callback; refuse with a reason."""
    config = provider(name)
    if config is None:
        raise SsoRefused(_("This identity provider is not configured."), "unknown_provider")
    flow, started = _pop_state(request, name)
    if started.get("reauth") and request.GET.get("error") == "access_denied":
        raise SsoRefused(
            _(
                "The identity provider refused to confirm your login. Your sessions and API "
                "tokens in vejud have ended; sign in again."
            ),
            "refused_reauth",
        )
    if request.GET.get("error") or not request.GET.get("code"):
        raise SsoRefused(_("The identity provider did not complete the sign-in."), "error")
    client = ProviderClient(config, discovery(config))
    client.request = request
    try:
        tokens = client.get_token(
            {
                "client_id": config["client_id"],
                "client_secret": config["client_secret"],
                "grant_type": "authorization_code",
                "code": request.GET["code"],
                "redirect_uri": callback_url(request, name),
                "code_verifier": flow.get("code_verifier"),
            }
        )
        id_token = str(tokens.get("id_token") or "")
        claims = client.verify_token(id_token, nonce=flow.get("nonce"))
    except SuspiciousOperation as exc:
        reason = "nonce" if "Nonce" in str(exc) else "key"
        message = (
            _("The sign-in does not belong to this browser session (nonce). Start again.")
            if reason == "nonce"
            else _("The sign-in is signed with a key the identity provider does not publish.")
        )
        raise SsoRefused(message, reason) from exc
    except requests.RequestException as exc:
        raise SsoRefused(_("The identity provider did not accept the sign-in."), "token") from exc
    if started.get("reauth") and not _fresh(claims, float(started.get("at", 0))):
        raise SsoRefused(_("The identity provider did not ask for your login again."), "auth_time")
    return _record_login(name, config, claims, id_token), started


def _fresh(claims: dict[str, Any], started_at: float) -> bool:
    """The login happened after the re-authentication began (``max_age=0`` was honoured)."""
    auth_time = claims.get("auth_time")
    return isinstance(auth_time, int | float) and auth_time >= started_at - REAUTH_LEEWAY_SECONDS


def _second_factor(config: dict[str, Any], claims: dict[str, Any]) -> bool:
    accepted = set(config.get("accepted_acr") or [])
    amr = claims.get("amr") or []
    given = {str(claims.get("acr", ""))} | {str(v) for v in amr if isinstance(amr, list)}
    return bool(accepted & given)


def subject_new(
    *, provider: str, issuer: str, sub: str, email: str = "", name: str = ""
) -> ProviderSubject:
    """Record a subject seen for the first time, unlinked until an administrator confirms it
    (audited as the system: no one is signed in). Callers hold the audited transaction."""
    subject = ProviderSubject.objects.create(
        name=provider,
        issuer=issuer,
        subject=sub,
        confirmed=False,
        claimed_email=email,
        claimed_name=name,
    )
    audit_record(
        actor=None, action="account.sso_subject_new", obj=subject, changes={"provider": provider}
    )
    return subject


def _record_login(
    name: str, config: dict[str, Any], claims: dict[str, Any], id_token: str
) -> SsoLogin:
    """Find the subject (issuer + sub) or record it unlinked; audited either way."""
    issuer, sub = str(config["issuer"]), str(claims["sub"])
    with audited():
        subject = (
            ProviderSubject.objects.select_for_update().filter(issuer=issuer, subject=sub).first()
        )
        if subject is None:
            subject = subject_new(
                provider=name,
                issuer=issuer,
                sub=sub,
                email=str(claims.get("email", ""))[:254],
                name=str(claims.get("name", ""))[:200],
            )
        user = subject.user if subject.confirmed else None
        if user is not None and not user.is_active:
            user = None
        subject.last_login_at = timezone.now()
        subject.save(update_fields=["last_login_at"])
        audit_record(
            actor=user,
            action="account.sso_login" if user is not None else "account.sso_unlinked",
            obj=subject,
            changes={"provider": name, "acr": claims.get("acr"), "amr": claims.get("amr")},
        )
    return SsoLogin(
        subject=subject, user=user, second_factor=_second_factor(config, claims), id_token=id_token
    )


def end_session_url(request: HttpRequest, sso: dict[str, Any] | None) -> str | None:
    """The provider's end-session address (RP-initiated logout), if it has one."""
    if not sso:
        return None
    config = provider(str(sso.get("provider", "")))
    if config is None:
        return None
    try:
        endpoint = discovery(config).get("end_session_endpoint")
    except SsoRefused:
        return None
    if not endpoint:
        return None
    params = {
        "id_token_hint": sso.get("id_token", ""),
        "client_id": config["client_id"],
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("accounts:login")),
    }
    return f"{endpoint}?{urlencode(params)}"


def login_buttons() -> list[dict[str, str]]:
    """One login button per configured provider (none when none is configured)."""
    return [{"name": name, "label": str(config["label"])} for name, config in providers().items()]


def password_login_allowed(user: User) -> bool:
    """Password login is open to everyone unless ``VEJUD_PASSWORD_LOGIN=0``; then only to
    the break-glass administrators (superusers made with ``vejud createsuperuser``)."""
    return bool(settings.VEJUD_PASSWORD_LOGIN or user.is_superuser)


def subject_link(*, actor: User, subject: ProviderSubject, user: User | None) -> ProviderSubject:
    """Link ``subject`` to ``user`` (or unlink it with None); audited. Linking grants the
    user's own memberships, nothing more."""
    with audited():
        before = (
            ProviderSubject.objects.filter(pk=subject.pk).values_list("user_id", flat=True).first()
        )
        subject.user = user
        subject.confirmed = user is not None
        subject.save()
        audit_record(
            actor=actor,
            action="account.sso_link" if user is not None else "account.sso_unlink",
            obj=subject,
            changes={"user": [before, getattr(user, "pk", None)], "provider": subject.name},
        )
    return subject


def inactive_users_deactivate(*, now: datetime | None = None) -> int:
    """Deactivate the users linked to a provider who have not logged in for
    ``VEJUD_OIDC_INACTIVE_DAYS`` days (break-glass administrators excepted): their sessions
    end and their API tokens are revoked at once. Return how many; each is audited."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.VEJUD_OIDC_INACTIVE_DAYS)
    stale = (
        User.objects.filter(is_active=True, is_superuser=False, provider_subjects__confirmed=True)
        .annotate(seen=Coalesce("last_login", "date_joined"))
        .filter(seen__lt=cutoff)
        .distinct()
    )
    count = 0
    for user in stale:
        user_deactivate(user=user, now=now, reason="inactive")
        count += 1
    return count


def user_deactivate(*, user: User, now: datetime, reason: str) -> None:
    """Deactivate ``user``, end every session of theirs and revoke their API tokens; audited."""
    user_access_end(user=user, now=now, reason=reason, deactivate=True)


def user_access_end(
    *, user: User, now: datetime, reason: str, deactivate: bool = False, provider_name: str = ""
) -> tuple[int, int]:
    """End every session of ``user`` and revoke their API tokens (and deactivate them when
    ``deactivate``); audited. Return (sessions ended, tokens revoked)."""
    with audited():
        if deactivate:
            save_fields(user, is_active=False)
        ended = user_sessions_end_all(user=user, now=now)
        tokens = list(ApiToken.objects.usable().filter(user=user))
        for token in tokens:
            save_fields(token, revoked_at=now)
        changes: dict[str, Any] = {
            "reason": reason,
            "sessions_ended": ended,
            "tokens_revoked": len(tokens),
        }
        if provider_name:
            changes["provider"] = provider_name
        audit_record(
            actor=None,
            action="account.deactivate" if deactivate else "account.access_end",
            obj=user,
            changes=changes,
        )
    return ended, len(tokens)


def refusal_record(*, name: str, reason: str, subject: str = "", error: str = "") -> None:
    """Record a refused provider login in the audit trail: the provider, the reason and the
    subject when known; never a token, code, state or secret. ``error`` is the provider's
    error code (kept only when it looks like one)."""
    config = provider(name)
    issuer = str(config["issuer"]) if config else ""
    with audited():
        event = ProviderEvent.objects.create(
            kind=ProviderEvent.Kind.REFUSED,
            provider=name[:64],
            issuer=issuer,
            subject=subject[:255],
            reason=reason[:40],
        )
        changes = {"provider": event.provider, "reason": event.reason}
        if subject:
            changes["subject"] = event.subject
        if re.fullmatch(r"[a-z_]{1,40}", error):
            changes["error"] = error
        audit_record(actor=None, action="account.sso_refused", obj=event, changes=changes)


def backchannel_logout(*, name: str, logout_token: str, now: datetime | None = None) -> int:
    """OpenID Connect Back-Channel Logout: the provider says the subject's sessions end (it
    logged them out, or disabled the account). The logout token is verified as an ID token
    is (signature by a key of the provider's JWKS, RS256, ``iss``, ``aud``), issued in the
    last few minutes, with the back-channel logout event, a ``sub``, no ``nonce``, and a
    ``jti`` not seen before. The linked user's sessions end and their API tokens are revoked;
    audited. Return how many sessions ended. Refuse with ``SsoRefused``."""
    now = now or timezone.now()
    config = provider(name)
    if config is None:
        raise SsoRefused(_("This identity provider is not configured."), "unknown_provider")
    client = ProviderClient(config, discovery(config))
    client.required_claims = LOGOUT_TOKEN_CLAIMS
    try:
        key = client.retrieve_matching_jwk(logout_token.encode())
    except (SuspiciousOperation, requests.RequestException, jwt.PyJWTError, KeyError) as exc:
        raise SsoRefused("The logout token is not signed by a key of the provider.", "key") from exc
    claims = client._verify_jws(logout_token, key)
    events = claims.get("events")
    if not isinstance(events, dict) or BACKCHANNEL_LOGOUT_EVENT not in events:
        raise SsoRefused("The logout token has no back-channel logout event.", "events")
    if "nonce" in claims:
        raise SsoRefused("A logout token must not carry a nonce.", "nonce")
    iat = claims.get("iat")
    if (
        not isinstance(iat, int | float)
        or abs(now.timestamp() - iat) > LOGOUT_TOKEN_MAX_AGE_SECONDS
    ):
        raise SsoRefused("The logout token was not issued just now.", "iat")
    issuer, sub, jti = str(config["issuer"]), str(claims["sub"]), str(claims["jti"])[:255]
    with audited():
        ProviderEvent.objects.filter(
            kind=ProviderEvent.Kind.LOGOUT, at__lt=now - timedelta(days=LOGOUT_JTI_KEEP_DAYS)
        ).delete()
        try:
            with transaction.atomic():
                event = ProviderEvent.objects.create(
                    kind=ProviderEvent.Kind.LOGOUT,
                    provider=name,
                    issuer=issuer,
                    subject=sub,
                    jti=jti,
                )
        except IntegrityError as exc:
            raise SsoRefused("This logout token was already used.", "jti") from exc
        audit_record(
            actor=None,
            action="account.sso_backchannel_logout",
            obj=event,
            changes={"provider": name, "subject": sub},
        )
        subject = (
            ProviderSubject.objects.filter(issuer=issuer, subject=sub, confirmed=True)
            .select_related("user")
            .first()
        )
        if subject is None or subject.user is None:
            return 0
        ended, _tokens = user_access_end(
            user=subject.user, now=now, reason="provider_logout", provider_name=name
        )
    return ended


def session_provider(request: HttpRequest) -> dict[str, str] | None:
    """The provider this session logged in with (for re-authentication there), if any."""
    sso = request.session.get(SSO_SESSION_KEY) or {}
    config = provider(str(sso.get("provider", "")))
    if config is None:
        return None
    return {"name": str(sso["provider"]), "label": str(config["label"])}
