"""Who may call the API: personal bearer tokens, and the role capability to use them.

Every operation requires ``Authorization: Bearer <token>`` (the API's default
auth: deny by default). A valid token of a user whose roles lack
``Capability.USE_API`` is answered 403. Each operation also declares its gate
in the OpenAPI schema (``x-vejud-policy``) so the authorisation-matrix test can
check every operation the same way it checks every page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security import HttpBearer

from vejud.access.gate import Policy
from vejud.access.rules import Capability, Part, has_capability
from vejud.accounts.models import User
from vejud.accounts.tokens import user_for_token

POLICY_KEY = "x-vejud-policy"


def bearer_token(request: HttpRequest) -> str | None:
    """Return the raw token of an ``Authorization: Bearer`` header, or None."""
    value = request.headers.get("Authorization", "")
    scheme, _sep, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def api_user(request: HttpRequest) -> User:
    """Return the user the API's bearer token authenticated (``request.auth``, typed)."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise AuthenticationError()
    return user


class BearerAuth(HttpBearer):
    """Authenticate a personal API token; 401 if missing or unusable, 403 without USE_API."""

    def __call__(self, request: HttpRequest) -> Any:
        # HttpBearer.__call__ logs the whole header on an unexpected scheme in DEBUG:
        # a credential must never reach a log, so parse it here instead.
        token = bearer_token(request)
        if token is None:
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is None:
            return None
        if not has_capability(user, Capability.USE_API):
            raise AuthorizationError(message=_("Your role does not give access to the API."))
        return user


def api_policy(
    kind: str,
    *,
    capability: Capability | None = None,
    part: Part | None = None,
    actors: Iterable[str] = (),
) -> dict[str, Any]:
    """Return ``openapi_extra`` declaring an operation's gate, as ``vejud_policy`` does for pages
    (``actors``: a case action's, who makes it)."""
    policy: dict[str, Any] = {"kind": kind}
    if capability is not None:
        policy["capability"] = capability.value
    if part is not None:
        policy["part"] = part.value
    if actors:
        policy["actors"] = sorted(actors)
    return {POLICY_KEY: policy}


def schema_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Guard the OpenAPI schema and docs: a verified session or a valid bearer token.

    The login middlewares leave ``/api/`` to the API's own auth, so this
    decorator does the deny-by-default check for the two non-operation views.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = bearer_token(request)
        if token is not None:
            if user_for_token(token) is None:
                response = JsonResponse({"detail": _("A valid API token is required.")}, status=401)
                response["WWW-Authenticate"] = "Bearer"
                return response
            return view(request, *args, **kwargs)
        user = request.user
        # django-otp's middleware gives the request's user is_verified().
        if user.is_authenticated and getattr(user, "is_verified", lambda: False)():
            return view(request, *args, **kwargs)
        return redirect_to_login(request.get_full_path())

    wrapper.vejud_policy = Policy("authenticated")  # type: ignore[attr-defined]
    return wrapper
