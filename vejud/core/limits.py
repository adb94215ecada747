"""The limits every input obeys, stated once: forms, the API's schemas and the services use them.

- Dates: between FIRST_DAY and LAST_DAY (1900-01-01 to 2199-12-31). A case reference holds a
  four-digit year, date arithmetic (due dates, the end of a course) must not overflow, and
  nothing in an exit case happened before 1900. Services check it too (``check_date``), so a
  date from anywhere is refused with the same message.
- Request bodies: at most MAX_BODY_BYTES outside file uploads (Django's
  DATA_UPLOAD_MAX_MEMORY_SIZE); an upload's file at most ``VEJUD_POOL_ATTACHMENT_MAX_BYTES``.
  Larger: 413.
- Text: valid UTF-8 only; a form or query string with bytes that are not UTF-8 is refused (400),
  never stored with replacement characters (``vejud.core.middleware.InputLimitsMiddleware``).
  A required text (a reason, a note, a description) is stored without surrounding white space
  and refused when nothing is left (``required_text``).
- Whole numbers: ids up to ID_MAX, versions up to VERSION_MAX. A JSON number with an integral
  value (``1183.0``) is the integer it equals, as JSON Schema says; a fraction (``1183.5``) is
  refused.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)

MAX_BODY_BYTES = 2_621_440  # 2.5 MiB, Django's default DATA_UPLOAD_MAX_MEMORY_SIZE
MAX_FIELDS = 1000  # DATA_UPLOAD_MAX_NUMBER_FIELDS

ID_MAX = 2**63 - 1
VERSION_MAX = 2**31 - 1


def date_range_message() -> str:
    """The message for a date outside the limits, in the user's language."""
    return _("Give a date between %(start)s and %(end)s.") % {
        "start": date_format(FIRST_DAY, "SHORT_DATE_FORMAT"),
        "end": date_format(LAST_DAY, "SHORT_DATE_FORMAT"),
    }


def check_date(day: date, *, code: str = "date_range") -> None:
    """Raise ValidationError unless ``day`` lies within FIRST_DAY..LAST_DAY."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(date_range_message(), code=code)


def required_text(text: str, message: str, *, code: str) -> str:
    """Return ``text`` without surrounding white space; raise ValidationError if nothing is left."""
    stripped = text.strip()
    if not stripped:
        raise ValidationError(message, code=code)
    return stripped


def check_period(start: date, end: date | None, message: str, *, code: str = "period") -> None:
    """Raise ValidationError(message) unless ``end`` is open (None) or not before ``start``."""
    if end is not None and end < start:
        raise ValidationError(message, code=code)
