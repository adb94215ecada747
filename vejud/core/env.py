"""Typed helpers that read settings from the environment.

Every secret may also be given as ``NAME_FILE`` pointing at a file that holds it,
so production secrets can come from a secrets mount instead of the environment.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str | None = None) -> str:
    """Return the variable ``name`` (or the contents of ``name_FILE``), else ``default``."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    value = os.environ.get(name)
    if value is not None:
        return value
    if default is None:
        raise ImproperlyConfigured(f"The environment variable {name} is required.")
    return default


def env_bool(name: str, default: bool) -> bool:
    """Return a boolean variable; accepts 1/0, true/false, yes/no, on/off."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}.")


def env_int(name: str, default: int) -> int:
    """Return an integer variable."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated list variable (``NAME_FILE`` allowed), blanks dropped."""
    try:
        raw = env_str(name)
    except ImproperlyConfigured:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_oidc_providers() -> dict[str, dict[str, object]]:
    """Return the OpenID Connect providers named in ``VEJUD_OIDC_PROVIDERS`` (comma-separated).

    Each name ``n`` is configured by ``VEJUD_OIDC_<N>_ISSUER``, ``_CLIENT_ID``,
    ``_CLIENT_SECRET`` (or ``_CLIENT_SECRET_FILE``), ``_ACR_VALUES`` (the ``acr``/``amr``
    values that count as a second factor, comma-separated; none: always vejud's TOTP),
    ``_LABEL`` (the login button's text) and ``_SCOPES`` (default ``openid email profile``).
    """
    providers: dict[str, dict[str, object]] = {}
    for name in env_list("VEJUD_OIDC_PROVIDERS", []):
        if not name.isidentifier() or not name.isascii():
            raise ImproperlyConfigured(f"VEJUD_OIDC_PROVIDERS: {name!r} is not a valid name.")
        prefix = f"VEJUD_OIDC_{name.upper()}_"
        providers[name.lower()] = {
            "issuer": env_str(prefix + "ISSUER").rstrip("/"),
            "client_id": env_str(prefix + "CLIENT_ID"),
            "client_secret": env_str(prefix + "CLIENT_SECRET"),
            "accepted_acr": env_list(prefix + "ACR_VALUES", []),
            "label": env_str(prefix + "LABEL", name),
            "scopes": env_str(prefix + "SCOPES", "openid email profile"),
        }
    return providers
