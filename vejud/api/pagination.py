"""Opaque keyset cursors: the last id of a page, so paging never counts or skips rows."""

from __future__ import annotations

import base64
import binascii

from django.utils.translation import gettext as _
from ninja.errors import ValidationError

_PREFIX = "c1:"
# Every cursor this module makes: "c1:" in base64 (YzE6), then the id's digits in base64.
CURSOR_PATTERN = r"^YzE6[A-Za-z0-9_-]{2,24}$"


def cursor_encode(last_id: int) -> str:
    """Return the cursor that continues after the row with ``last_id``."""
    raw = f"{_PREFIX}{last_id}".encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def cursor_decode(cursor: str) -> int:
    """Return the id a cursor continues after; 422 (like any invalid query parameter) if it
    is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    number = raw.removeprefix(_PREFIX)
    if (
        not raw.startswith(_PREFIX)
        or not (number.isascii() and number.isdigit())
        or len(number) > 18
    ):
        raise ValidationError(
            [{"type": "invalid_cursor", "loc": ["query", "cursor"], "msg": _("Invalid cursor.")}]
        )
    return int(number)
