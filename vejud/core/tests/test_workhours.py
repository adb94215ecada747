"""Working-hours arithmetic: properties across weekends, Danish holidays and the turn of the year."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vejud.core.workhours import COPENHAGEN, Schedule, is_open_day, working_hours, working_time

SCHEDULE = Schedule.parse("9-16")
SHORT_FRIDAY = Schedule.parse("9-16,9-16,9-16,9-16,9-14")
ZERO = dt.timedelta()

# Around the turn of the year, Easter and the spring holidays, in Copenhagen time (both DST changes).
moments = st.datetimes(
    min_value=dt.datetime(2025, 12, 15),
    max_value=dt.datetime(2027, 1, 15),
    timezones=st.just(COPENHAGEN),
)
schedules = st.sampled_from([SCHEDULE, SHORT_FRIDAY, Schedule.parse("9-14")])


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=COPENHAGEN)


@settings(max_examples=300, deadline=None)
@given(start=moments, a=moments, b=moments, schedule=schedules)
def test_monotonic_in_the_end(
    start: dt.datetime, a: dt.datetime, b: dt.datetime, schedule: Schedule
) -> None:
    early, late = sorted((a, b))
    assert working_time(start, early, schedule=schedule) <= working_time(
        start, late, schedule=schedule
    )


@settings(max_examples=300, deadline=None)
@given(points=st.lists(moments, min_size=3, max_size=3), schedule=schedules)
def test_additive_over_a_split_point(points: list[dt.datetime], schedule: Schedule) -> None:
    start, middle, end = sorted(points)
    whole = working_time(start, end, schedule=schedule)
    assert whole == working_time(start, middle, schedule=schedule) + working_time(
        middle, end, schedule=schedule
    )


@settings(max_examples=300, deadline=None)
@given(a=moments, b=moments, schedule=schedules)
def test_bounded_by_wall_time(a: dt.datetime, b: dt.datetime, schedule: Schedule) -> None:
    start, end = sorted((a, b))
    assert ZERO <= working_time(start, end, schedule=schedule) <= end - start
    assert working_time(end, start, schedule=schedule) == ZERO


@settings(max_examples=300, deadline=None)
@given(moment=moments, schedule=schedules, first=st.times(), last=st.times())
def test_zero_on_closed_days(
    moment: dt.datetime, schedule: Schedule, first: dt.time, last: dt.time
) -> None:
    day = moment.date()
    start, end = sorted((at(day, first.hour, first.minute), at(day, last.hour, last.minute)))
    if not is_open_day(day, schedule):
        assert working_time(start, end, schedule=schedule) == ZERO


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2026, 12, 25),  # Christmas Day
        dt.date(2026, 12, 26),  # Second Day of Christmas
        dt.date(2027, 1, 1),  # New Year's Day
        dt.date(2026, 4, 2),  # Maundy Thursday
        dt.date(2026, 4, 3),  # Good Friday
        dt.date(2026, 4, 6),  # Easter Monday
        dt.date(2026, 5, 14),  # Ascension Day
        dt.date(2026, 5, 25),  # Whit Monday
        dt.date(2026, 12, 5),  # a Saturday
    ],
)
def test_danish_holidays_and_weekends_are_closed(day: dt.date) -> None:
    assert not is_open_day(day, SCHEDULE)
    assert working_time(at(day, 0), at(day, 23), schedule=SCHEDULE) == ZERO


def test_hand_counted_across_the_turn_of_the_year() -> None:
    # Wed 23 Dec 2026 15:00 to Mon 4 Jan 2027 10:00 at 9-16: Dec 23 1 h, Dec 24 7 h (not a public
    # holiday), Dec 25-27 closed, Dec 28-31 4 x 7 h, Jan 1-3 closed, Jan 4 1 h = 37 h.
    assert (
        working_hours(at(dt.date(2026, 12, 23), 15), at(dt.date(2027, 1, 4), 10), schedule=SCHEDULE)
        == 37
    )


def test_a_short_friday_counts_its_own_window() -> None:
    friday = dt.date(2026, 12, 4)
    assert working_hours(at(friday, 8), at(friday, 18), schedule=SHORT_FRIDAY) == 5
    assert working_hours(at(friday, 8), at(friday, 18), schedule=SCHEDULE) == 7


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        working_time(dt.datetime(2026, 12, 1, 9), dt.datetime(2026, 12, 1, 10), schedule=SCHEDULE)


@pytest.mark.parametrize("text", ["16-9", "9", "9-16,9-16", "a-b", "9-24"])
def test_a_wrong_schedule_is_refused(text: str) -> None:
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        Schedule.parse(text)
