"""The dashboard's figures: counted as the data changes, equal to a recount, moved on transfer."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from vejud.statistics.figures import (
    OVER_DAYS,
    day_bucket,
    figures_check,
    figures_rebuild,
    month_bucket,
)
from vejud.statistics.models import DashboardCount
from vejud.testing import make_world
from vejud.testing.builders import (
    make_case_at,
    make_custody_case,
    make_refused_case,
    record_review,
)

pytestmark = pytest.mark.django_db


def _figure(figure: str, detail: str | None = None, **filters: object) -> int:
    rows = DashboardCount.objects.filter(grain="y", figure=figure, **filters)
    if detail is not None:
        rows = rows.filter(detail=detail)
    return rows.aggregate(n=Sum("n"))["n"] or 0


def test_buckets() -> None:
    assert [day_bucket(d) for d in (0, 1, 7, 8, 14, 15, 730, 731)] == [
        0,
        1,
        7,
        14,
        14,
        21,
        730,
        OVER_DAYS,
    ]
    from datetime import date

    assert month_bucket(None, date(2026, 1, 1)) is None
    assert month_bucket(date(2026, 1, 15), date(2026, 2, 14)) == 1
    assert month_bucket(date(2026, 1, 15), date(2026, 2, 15)) == 3
    assert month_bucket(date(2024, 1, 1), date(2026, 2, 1)) == 99


def test_the_events_are_counted_as_they_happen_and_equal_a_recount() -> None:
    world = make_world()
    for stage in (
        "inquiry",
        "withdrawn",
        "dropped",
        "refused",
        "referred",
        "refusal_upheld",
        "admitted",
        "closed",
    ):
        make_case_at(world, stage)
    admitted = make_case_at(world, "admitted")
    record_review(world, admitted)
    assert figures_check() == []
    assert _figure("inflow") == 9
    assert _figure("decision", "unit:refuse") == 3  # refused, referred, upheld
    assert _figure("decision", "final:uphold") == 1
    assert _figure("closure", "completed") == 1
    assert _figure("r_motivation_level") == 1
    stored = {
        (r.grain, r.period, r.unit_id, r.track, r.figure, r.detail): (r.n, r.total)
        for r in DashboardCount.objects.exclude(n=0, total=0)
    }
    figures_rebuild()
    rebuilt = {
        (r.grain, r.period, r.unit_id, r.track, r.figure, r.detail): (r.n, r.total)
        for r in DashboardCount.objects.all()
    }
    assert rebuilt == stored


def test_a_transfer_moves_the_case_figures_to_the_new_unit_and_track() -> None:
    world = make_world()
    make_custody_case(world)
    assert _figure("inflow", unit=world.unit_a) == 0
    assert _figure("inflow", unit=world.dfk, track="custody") == 1
    assert figures_check() == []


def test_refusal_grounds_are_counted_per_ground() -> None:
    world = make_world()
    make_refused_case(world)
    assert _figure("ground") >= 1
    assert figures_check() == []


def test_the_command_finds_a_changed_figure_and_rebuilds_it() -> None:
    from django.core.management import CommandError, call_command

    world = make_world()
    make_case_at(world, "closed")
    call_command("statistics")
    DashboardCount.objects.filter(figure="inflow").update(n=7)
    with pytest.raises(CommandError):
        call_command("statistics")
    call_command("statistics", "--rebuild")
    call_command("statistics")
    assert _figure("inflow") == 1
