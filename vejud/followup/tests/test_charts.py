"""The motivation chart: its legends and labels are whole (issue 14: they were clipped)."""

from __future__ import annotations

from datetime import date

from django.utils import translation

from vejud.followup.charts import motivation_chart_svg
from vejud.followup.models import Review


def _review(day: date, level: int) -> Review:
    return Review(
        reviewed_on=day,
        motivation_level=level,
        crime_stopped=2,
        environment_left=1,
        lifestyle_changed=1,
    )


def test_the_legends_and_the_last_label_are_whole():
    reviews = [_review(date(2026, month, 28), 3 + month % 2) for month in range(1, 9)]
    with translation.override("da"):
        svg = motivation_chart_svg(reviews, baseline=4)
    assert "…" not in svg
    assert "Fremskridt på de fire forandringer (skaleret 0-5)" in svg
    assert "28.08.2026" in svg
