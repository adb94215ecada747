"""Working-hours arithmetic: opening hours on weekdays, Danish public holidays, Copenhagen time.

Response times of the national contact point are measured in working hours, not wall time:
a question sent on Friday afternoon and answered on Monday morning took a few working hours.
The schedule is one opening window per weekday (Monday first); public holidays come from the
maintained ``holidays`` package, never a hand-written list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


@dataclass(frozen=True)
class Schedule:
    """Opening windows per weekday, Monday first; ``None`` is a closed day."""

    windows: tuple[tuple[dt.time, dt.time] | None, ...]

    @classmethod
    def parse(cls, text: str) -> Schedule:
        """Return the schedule from ``"9-16"`` (every weekday) or five comma-separated ``"9-16,...,9-14"``."""
        parts = [part.strip() for part in text.split(",")]
        if len(parts) == 1:
            parts = parts * 5
        if len(parts) != 5:
            raise ImproperlyConfigured(f"Working hours need one window or five, not {text!r}.")
        windows: list[tuple[dt.time, dt.time] | None] = []
        for part in parts:
            start, _, end = part.partition("-")
            try:
                opens, closes = int(start), int(end)
            except ValueError as exc:
                raise ImproperlyConfigured(
                    f"Working hours must be like 9-16, not {part!r}."
                ) from exc
            if not 0 <= opens < closes <= 23:
                raise ImproperlyConfigured(f"Working hours must open before they close: {part!r}.")
            windows.append((dt.time(opens), dt.time(closes)))
        return cls(windows=(*windows, None, None))


@lru_cache(maxsize=64)
def _danish_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("DK", years=year).keys())


def is_open_day(day: dt.date, schedule: Schedule) -> bool:
    """Return True if ``day`` has opening hours: a weekday with a window and no public holiday."""
    return schedule.windows[day.weekday()] is not None and day not in _danish_holidays(day.year)


def default_schedule() -> Schedule:
    """Return the schedule configured as ``VEJUD_WORKING_HOURS`` (default 9-16 every weekday)."""
    return Schedule.parse(getattr(settings, "VEJUD_WORKING_HOURS", "9-16"))


def working_time(
    start: dt.datetime, end: dt.datetime, *, schedule: Schedule | None = None
) -> dt.timedelta:
    """Return the working time between two aware datetimes (zero if ``end`` is not after ``start``)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("working_time needs aware datetimes.")
    if end <= start:
        return dt.timedelta()
    schedule = schedule or default_schedule()
    total = dt.timedelta()
    day = start.astimezone(COPENHAGEN).date()
    last = end.astimezone(COPENHAGEN).date()
    while day <= last:
        window = schedule.windows[day.weekday()]
        if window is not None and is_open_day(day, schedule):
            opens = dt.datetime.combine(day, window[0], tzinfo=COPENHAGEN)
            closes = dt.datetime.combine(day, window[1], tzinfo=COPENHAGEN)
            overlap = min(end, closes) - max(start, opens)
            if overlap > dt.timedelta():
                total += overlap
        day += dt.timedelta(days=1)
    return total


def working_hours(
    start: dt.datetime, end: dt.datetime, *, schedule: Schedule | None = None
) -> float:
    """Return the working hours between two aware datetimes, for display and medians."""
    return working_time(start, end, schedule=schedule) / dt.timedelta(hours=1)
