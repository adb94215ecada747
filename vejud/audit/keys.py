"""The audit trail's keys (``VEJUD_AUDIT_KEYS``, newest first), known by a short id.

The chain and its checkpoints are HMAC-SHA256 under a key that lives only in the
application's environment, so whoever administers the database can edit rows but cannot
compute the hashes that would make an edit pass ``vejud audit verify``. Each record names
the id of the key it was linked with; rotation puts a new key first and keeps the old ones
after it for as long as records made with them are checked.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from django.conf import settings


class UnknownAuditKeyError(LookupError):
    """A record or checkpoint names a key that is not configured."""


def key_id(key: str) -> str:
    """Return the public id of ``key``: a digest prefix that says nothing about the key."""
    return hashlib.sha256(b"vejud audit key id:" + key.encode()).hexdigest()[:12]


@lru_cache(maxsize=4)
def _keys(keys: tuple[str, ...]) -> dict[str, bytes]:
    return {key_id(key): key.encode() for key in keys}


def audit_keys() -> dict[str, bytes]:
    """Return the configured keys by id, newest first."""
    return _keys(tuple(settings.VEJUD_AUDIT_KEYS))


def current_key_id() -> str:
    """Return the id of the key new records and checkpoints are made with."""
    return next(iter(audit_keys()))


def mac(payload: bytes, *, key: str, purpose: str = "chain") -> str:
    """Return the HMAC-SHA256 of ``payload`` under the key with id ``key``, for ``purpose``."""
    try:
        secret = audit_keys()[key]
    except KeyError as exc:
        raise UnknownAuditKeyError(key) from exc
    if purpose != "chain":
        secret = hmac.new(secret, purpose.encode(), hashlib.sha256).digest()
    return hmac.new(secret, payload, hashlib.sha256).hexdigest()
