"""Dates and times per language (``vejud.formats``, rough edge 9 of issue 14): Danish as in
Danish administration, English day-month with 24-hour times, never the US order."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import translation
from django.utils.formats import date_format, time_format

from vejud.testing import make_case, verified_client

DAY = date(2026, 12, 4)
MOMENT = datetime(2026, 12, 4, 14, 5)


@pytest.mark.parametrize(
    ("language", "short_date", "short_datetime", "time", "long_date"),
    [
        ("da", "04.12.2026", "04.12.2026, 14.05", "14.05", "4. december 2026"),
        ("en", "4 Dec 2026", "4 Dec 2026, 14:05", "14:05", "4 December 2026"),
    ],
)
def test_each_language_has_its_own_formats(language, short_date, short_datetime, time, long_date):
    with translation.override(language):
        assert date_format(DAY, "SHORT_DATE_FORMAT") == short_date
        assert date_format(MOMENT, "SHORT_DATETIME_FORMAT") == short_datetime
        assert time_format(MOMENT, "TIME_FORMAT") == time
        assert date_format(DAY, "DATE_FORMAT") == long_date


def test_an_english_user_sees_no_us_dates_on_the_case_page(world):
    case = make_case(world.coordinator_a, world.unit_a)
    world.member_a.language = "en"
    world.member_a.save(update_fields=["language"])
    page = verified_client(world.member_a).get(case.get_absolute_url()).content.decode()
    with translation.override("en"):
        english = date_format(case.opened_on, "SHORT_DATE_FORMAT")
    assert english in page
    assert case.opened_on.strftime("%m/%d/%Y") not in page
