"""Plausible dates: what a service accepts as a date in a case (no year 9999)."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

EARLIEST = date(2000, 1, 1)
YEARS_AHEAD = 10


def check_plausible_date(day: date, *, label: str) -> None:
    """Raise ValidationError unless ``day`` lies between 2000 and ten years from today."""
    latest = timezone.localdate() + timedelta(days=YEARS_AHEAD * 366)
    if not EARLIEST <= day <= latest:
        raise ValidationError(
            _("%(label)s must be between %(start)s and %(end)s.")
            % {
                "label": label,
                "start": date_format(EARLIEST, "SHORT_DATE_FORMAT"),
                "end": date_format(latest, "SHORT_DATE_FORMAT"),
            },
            code="date_range",
        )


def age_on(birth: date, day: date) -> int:
    """Return the age in whole years on ``day`` of someone born on ``birth``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
