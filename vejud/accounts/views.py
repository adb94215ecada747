"""Staff login (password, then TOTP), enrolment, re-authentication and the user's own account."""

from __future__ import annotations

import base64
import io
from base64 import b32encode
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import segno
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login

from vejud.access.gate import AuthenticatedRequest, authenticated, public, requires
from vejud.access.rules import Capability
from vejud.accounts.decorators import mark_reauthenticated, reauth_required
from vejud.accounts.forms import (
    CodeForm,
    LanguageForm,
    LoginForm,
    ReauthForm,
    RoleGrantForm,
    TokenCreateForm,
    TotpConfirmForm,
)
from vejud.accounts.grants import (
    role_grant_approve,
    role_grant_reject,
    role_grant_request,
    role_grants_pending,
)
from vejud.accounts.models import AuthenticatorDevice, RoleGrant, User
from vejud.accounts.selectors import (
    active_sessions_for,
    get_session_for,
    get_token_for,
    has_confirmed_totp,
    memberships_for,
    second_factor_throttles,
    tokens_for,
)
from vejud.accounts.services import (
    CodeRejected,
    code_verify,
    recovery_code_format,
    recovery_codes_generate,
    recovery_codes_left,
    totp_enrolment_confirm,
    totp_enrolment_start,
    user_language_set,
    user_session_end,
    user_sessions_end_others,
)
from vejud.accounts.sso import (
    SSO_SESSION_KEY,
    end_session_url,
    login_buttons,
    password_login_allowed,
    session_provider,
)
from vejud.accounts.tokens import token_create, token_revoke
from vejud.core.attempt import submitted


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _safe_next(request: HttpRequest, default: str | None = None) -> str:
    """Return the ``next`` target if it stays on this site, else ``default`` (the caseload)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default or resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _code_error(exc: CodeRejected) -> str:
    if exc.locked_until is None:
        return exc.message
    seconds = max(1, int((exc.locked_until - timezone.now()).total_seconds() + 0.999))
    return ngettext(
        "Too many wrong codes. Try again in %(seconds)d second.",
        "Too many wrong codes. Try again in %(seconds)d seconds.",
        seconds,
    ) % {"seconds": seconds}


def lockout(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """Explain a login throttled by django-axes (set as AXES_LOCKOUT_CALLABLE)."""
    cool_off = get_cool_off(request) or timedelta(minutes=15)
    minutes = max(1, round(cool_off.total_seconds() / 60))
    return render(request, "accounts/lockout.html", {"minutes": minutes}, status=429)


# Signing in -------------------------------------------------------------------


@public
@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """Password step; the second factor follows on its own page."""
    next_url = _safe_next(request)
    if request.user.is_authenticated:
        # Only verified users get here: MFARequiredMiddleware sends the rest to the second factor.
        return redirect(next_url)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # django-axes counts failures per account and per address; when it refuses,
        # its middleware replaces this response with ``lockout``.
        user = authenticate(
            request=request,
            username=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
        )
        if user is None:
            form.add_error(None, _("The e-mail address or the password is wrong."))
        elif not password_login_allowed(user):
            form.add_error(
                None, _("Password login is switched off. Sign in with your organisation's login.")
            )
        else:
            auth_login(request, user)
            step = "accounts:otp_verify" if has_confirmed_totp(user) else "accounts:otp_setup"
            return redirect(_with_next(step, next_url))
    context = {"form": form, "next": next_url, "sso_providers": login_buttons()}
    return render(
        request, "accounts/login.html", {**context, "password_login": settings.VEJUD_PASSWORD_LOGIN}
    )


def _second_factor_step(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A step of the second factor (enter a code, enrol an authenticator): for a user past the
    password, GET or POST, never cached, the code kept out of error reports."""
    view = require_http_methods(["GET", "POST"])(view)
    return authenticated(sensitive_post_parameters("code")(never_cache(view)))


@_second_factor_step
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Second step: a code from the authenticator app, or a recovery code."""
    user = _user(request)
    next_url = _safe_next(request)
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect(next_url)
    if not has_confirmed_totp(user):
        return redirect(_with_next("accounts:otp_setup", next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accepted = code_verify(user=user, code=form.cleaned_data["code"])
        except CodeRejected as exc:
            form.add_error("code", _code_error(exc))
        else:
            otp_login(request, accepted.device)
            mark_reauthenticated(request)
            _warn_recovery_codes_left(request, accepted.recovery_codes_left)
            return redirect(next_url)
    return render(request, "accounts/otp_verify.html", {"form": form, "next": next_url})


def _warn_recovery_codes_left(request: HttpRequest, left: int | None) -> None:
    """After a recovery code was used (``left`` is not None), say how many are left."""
    if left is None:
        return
    messages.warning(
        request,
        ngettext(
            "You used a recovery code. %(count)d is left: make new ones on your profile.",
            "You used a recovery code. %(count)d are left: make new ones on your profile.",
            left,
        )
        % {"count": left},
    )


def _qr_data_uri(device: AuthenticatorDevice) -> str:
    qr = segno.make(device.config_url, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=5, border=4, xmldecl=False, svgns=True)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _secret_groups(device: AuthenticatorDevice) -> str:
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@_second_factor_step
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app (QR code or secret), confirm it, show recovery codes once."""
    user = _user(request)
    next_url = _safe_next(request)
    try:
        device = totp_enrolment_start(user=user)
    except ValidationError:
        # Already enrolled: the existing authenticator must be used, never replaced from here.
        target = "accounts:profile" if user.is_verified() else "accounts:otp_verify"  # type: ignore[attr-defined]
        return redirect(_with_next(target, next_url))
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = totp_enrolment_confirm(user=user, device=device, code=form.cleaned_data["code"])
        except CodeRejected as exc:
            form.add_error("code", _code_error(exc))
        else:
            device.refresh_from_db()
            otp_login(request, device)
            mark_reauthenticated(request)
            return _render_recovery_codes(request, codes, next_url, enrolled=True)
    context = {"form": form, "next": next_url}
    context.update(qr_data_uri=_qr_data_uri(device), secret=_secret_groups(device))
    return render(request, "accounts/otp_setup.html", context)


def _shows_a_secret(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page that makes a secret (recovery codes, an API token) and shows it once: for the
    signed-in user after a fresh reauthentication, GET or POST, never cached."""
    return authenticated(never_cache(require_http_methods(["GET", "POST"])(reauth_required(view))))


def _render_recovery_codes(
    request: HttpRequest, codes: list[str], next_url: str, *, enrolled: bool
) -> HttpResponse:
    context = {
        "codes": [recovery_code_format(code) for code in codes],
        "next": next_url,
        "enrolled": enrolled,
    }
    return render(request, "accounts/recovery_codes.html", context)


@_shows_a_secret
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Make new recovery codes (the old ones stop working) and show them once."""
    user = _user(request)
    if request.method == "POST":
        codes = recovery_codes_generate(user=user)
        return _render_recovery_codes(request, codes, reverse("accounts:profile"), enrolled=False)
    return render(
        request, "accounts/recovery_regenerate.html", {"left": recovery_codes_left(user=user)}
    )


@authenticated
@sensitive_post_parameters("password", "code")
@never_cache
@require_http_methods(["GET", "POST"])
def reauth(request: HttpRequest) -> HttpResponse:
    """Confirm it is still you (password and code) before a sensitive action."""
    user = _user(request)
    next_url = _safe_next(request, default=reverse("accounts:profile"))
    form = ReauthForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and password_login_allowed(user):
        # Through authenticate() so django-axes throttles guessing here too.
        checked = authenticate(
            request=request, username=user.email, password=form.cleaned_data["password"]
        )
        if checked is None or checked.pk != user.pk:
            form.add_error("password", _("The password is wrong."))
        else:
            try:
                code_verify(user=user, code=form.cleaned_data["code"])
            except CodeRejected as exc:
                form.add_error("code", _code_error(exc))
            else:
                mark_reauthenticated(request)
                return redirect(next_url)
    context = {"form": form, "next": next_url, "sso_provider": session_provider(request)}
    context["password_login"] = password_login_allowed(user)
    return render(request, "accounts/reauth.html", context)


@authenticated
@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Sign out and end this session, and the provider's session where it supports it."""
    provider_logout = end_session_url(request, request.session.get(SSO_SESSION_KEY))
    auth_logout(request)
    messages.info(request, _("You are signed out."))
    return redirect(provider_logout or settings.LOGOUT_REDIRECT_URL)


# The user's own account --------------------------------------------------------


@authenticated
@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    """Name, e-mail, memberships, language, and links to sessions and tokens."""
    user = _user(request)
    context = {
        "memberships": memberships_for(user),
        "today": timezone.localdate(),
        "language_form": LanguageForm(instance=user),
        "recovery_left": recovery_codes_left(user=user),
        "throttled": second_factor_throttles(user),
    }
    return render(request, "accounts/profile.html", context)


@authenticated
@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Save the user's interface language."""
    user = _user(request)
    form = LanguageForm(request.POST, instance=user)
    if form.is_valid():
        user_language_set(user=user, language=form.cleaned_data["language"])
        translation.activate(user.language)
        messages.success(request, _("Language saved."))
    else:
        messages.error(request, _("Choose one of the languages."))
    return redirect("accounts:profile")


@authenticated
@require_GET
def sessions(request: HttpRequest) -> HttpResponse:
    """The user's active sessions, with a button to end each of the others."""
    user = _user(request)
    context = {
        "sessions": active_sessions_for(user),
        "current_key": request.session.session_key,
    }
    return render(request, "accounts/sessions.html", context)


def _confirm(
    request: HttpRequest, title: str, consequence: str, label: str, back: str
) -> HttpResponse:
    """The confirmation page of a destructive action: its POST button does it."""
    context = {"title": title, "consequence": consequence, "confirm_label": label}
    return render(request, "confirm.html", {**context, "back_url": reverse(back)})


@authenticated
@require_http_methods(["GET", "POST"])
@reauth_required
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End another of the user's sessions (404 if it is not theirs); GET asks first."""
    user = _user(request)
    session = get_session_for(user, pk)
    if session.session_key == request.session.session_key:
        messages.error(request, _("To end this session, sign out."))
        return redirect("accounts:sessions")
    if request.method == "GET":
        what = _("The browser %(agent)s signed in %(at)s is signed out.") % {
            "agent": session.user_agent or _("Unknown"),
            "at": date_format(timezone.localtime(session.created_at), "SHORT_DATETIME_FORMAT"),
        }
        return _confirm(
            request, _("End session"), what, _("Yes, end the session"), "accounts:sessions"
        )
    user_session_end(actor=user, session=session)
    messages.success(request, _("The session has been ended."))
    return redirect("accounts:sessions")


@authenticated
@require_http_methods(["GET", "POST"])
@reauth_required
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    """End every session of the user except this one; GET asks first."""
    if request.method == "GET":
        what = _("Every other place where you are signed in is signed out. This one stays.")
        return _confirm(
            request,
            _("End all other sessions"),
            what,
            _("Yes, end all other sessions"),
            "accounts:sessions",
        )
    count = user_sessions_end_others(actor=_user(request), current_key=request.session.session_key)
    messages.success(
        request,
        ngettext(
            "%(count)d other session has been ended.",
            "%(count)d other sessions have been ended.",
            count,
        )
        % {"count": count},
    )
    return redirect("accounts:sessions")


@authenticated
@require_GET
def tokens(request: HttpRequest) -> HttpResponse:
    """The user's personal API tokens."""
    context = {"tokens": tokens_for(_user(request)), "now": timezone.now()}
    return render(request, "accounts/tokens.html", context)


@_shows_a_secret
def token_new(request: HttpRequest) -> HttpResponse:
    """Create a personal API token and show it once."""
    user = _user(request)
    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        expires_at = timezone.now() + timedelta(days=form.cleaned_data["days"])
        try:
            token, raw = token_create(
                user=user, name=form.cleaned_data["name"], expires_at=expires_at
            )
        except ValidationError as exc:
            form.add_error("name", exc)
        else:
            return render(request, "accounts/token_created.html", {"token": token, "raw": raw})
    return render(request, "accounts/token_new.html", {"form": form})


@authenticated
@require_http_methods(["GET", "POST"])
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the user's tokens (404 if it is not theirs); GET asks first."""
    user = _user(request)
    token = get_token_for(user, pk)
    if request.method == "GET":
        what = _("Scripts using the token “%(name)s” can no longer use the API.") % {
            "name": token.name
        }
        return _confirm(
            request, _("Revoke token"), what, _("Yes, revoke the token"), "accounts:tokens"
        )
    token_revoke(actor=user, token=token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:tokens")


@requires(Capability.GRANT_CASE_ROLES)
@never_cache
@require_http_methods(["GET", "POST"])
def role_grants(request: AuthenticatedRequest) -> HttpResponse:
    """Request a case-access role, and list the requests awaiting a second person."""
    form = RoleGrantForm(request.POST or None, initial={"valid_from": timezone.localdate()})
    done = submitted(
        request,
        form,
        lambda: role_grant_request(actor=request.user, **form.cleaned_data),
        _("The request is recorded. A second person must approve it."),
        lambda grant: reverse("accounts:role_grants"),
    )
    if done is not None:
        return done
    context = {"form": form, "pending": role_grants_pending()}
    return render(request, "accounts/role_grants.html", context)


@requires(Capability.GRANT_CASE_ROLES)
@require_POST
def role_grant_decide(request: AuthenticatedRequest, grant_id: int) -> HttpResponse:
    """Approve (``decision=approve``) or reject a request; never one's own (four eyes)."""
    grant = get_object_or_404(RoleGrant, pk=grant_id)
    approve = request.POST.get("decision") == "approve"
    try:
        (role_grant_approve if approve else role_grant_reject)(actor=request.user, grant=grant)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:  # one's own request, or a role for oneself
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("The role is granted.") if approve else _("The request is rejected.")
        )
    return redirect("accounts:role_grants")
