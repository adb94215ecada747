"""Field encryption (Fernet, keys newest first) and keyed hashes for exact lookup."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "VEJUD_FIELD_KEYS must hold url-safe base64 Fernet keys (32 bytes), newest first."
        ) from exc


def fernet() -> MultiFernet:
    """Return the MultiFernet for the configured keys (encrypts with the newest)."""
    return _fernet(tuple(settings.VEJUD_FIELD_KEYS))


def encrypt_text(plain: str) -> str:
    """Return the encrypted token for ``plain``."""
    return fernet().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    """Return the plain text of ``token``; fails loudly if no configured key fits."""
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An encrypted value cannot be read with the configured keys."
        ) from exc


def rotate_token(token: str) -> str:
    """Return ``token`` re-encrypted under the newest key."""
    return fernet().rotate(token.encode("ascii")).decode("ascii")


def keyed_hash(value: str, *, purpose: str, key: str | None = None) -> str:
    """Return a keyed HMAC-SHA256 of ``value`` for exact lookup without the plain value.

    Under the newest ``VEJUD_HMAC_KEY`` key unless ``key`` names another.
    """
    secret = settings.VEJUD_HMAC_KEYS[0] if key is None else key
    return hmac.new(
        f"{secret}:{purpose}".encode(), value.encode("utf-8"), hashlib.sha256
    ).hexdigest()


def keyed_hashes(value: str, *, purpose: str) -> list[str]:
    """Return the keyed hashes of ``value`` under every configured key, newest first: a
    lookup finds values hashed before a rotation finished."""
    return [keyed_hash(value, purpose=purpose, key=key) for key in settings.VEJUD_HMAC_KEYS]


class EncryptedTextField(models.TextField):
    """A text column stored only as Fernet ciphertext; reads return plain text.

    Encrypted values cannot be filtered or ordered on; pair with a keyed hash
    column where exact lookup is needed.
    """

    description = "Encrypted text"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))
