from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from vejud.followup.charts import motivation_chart_svg
from vejud.followup.models import EarlyWarning, Review, WarningReason
from vejud.followup.services import review_due_on, warning_resolve
from vejud.testing import make_admitted_case
from vejud.testing.builders import record_review
from vejud.worklist.selectors import TaskKind, tasks_for


def _review(world, case, days_ago, level, progress=(1, 1, 1), risks=None):
    return record_review(
        world, case, days_ago=days_ago, level=level, progress=progress, risk_events=risks
    )


def _reasons(case):
    return sorted(w.reason for w in EarlyWarning.objects.filter(case=case))


def test_motivation_drop_of_two_levels_against_the_assessment_raises_a_warning(world):
    case = make_admitted_case(world)  # signed motivation level 4
    _review(world, case, 0, level=2)
    assert _reasons(case) == [WarningReason.MOTIVATION_DROP]
    assert (TaskKind.EARLY_WARNING, case.reference) in {
        (t.kind, t.reference) for t in tasks_for(world.coordinator_a)
    }


def test_drop_of_one_level_raises_nothing(world):
    case = make_admitted_case(world)
    _review(world, case, 0, level=3)
    assert _reasons(case) == []


def test_two_reviews_in_a_row_without_progress(world):
    case = make_admitted_case(world)
    _review(world, case, 60, level=4, progress=(2, 1, 1))
    _review(world, case, 30, level=4, progress=(1, 1, 1))
    assert _reasons(case) == []
    _review(world, case, 0, level=4, progress=(1, 1, 1))
    assert _reasons(case) == [WarningReason.NO_PROGRESS]


def test_risk_event_raises_a_warning_and_resolution_clears_the_task(world):
    case = make_admitted_case(world)
    _review(
        world,
        case,
        0,
        level=4,
        progress=(2, 2, 2),
        risks=[
            {
                "kind": "threat",
                "occurred_on": timezone.localdate(),
                "note": "Threatened by old members",
            }
        ],
    )
    warning = EarlyWarning.objects.get(case=case)
    assert warning.reason == WarningReason.RISK_EVENT
    with pytest.raises(ValidationError):
        warning_resolve(actor=world.coordinator_a, warning=warning, note="")
    warning_resolve(actor=world.coordinator_a, warning=warning, note="Safety plan updated")
    assert TaskKind.EARLY_WARNING not in {t.kind for t in tasks_for(world.coordinator_a)}


def test_custody_change_four_is_for_custody_only(world):
    case = make_admitted_case(world)
    with pytest.raises(ValidationError):
        record_review(world, case, custody_behaviour=1)
    assert not Review.objects.filter(case=case).exists()


def test_review_due_every_90_days_and_on_the_task_list(world):
    case = make_admitted_case(world)
    assert review_due_on(case, None) == case.course_started_on + timedelta(days=90)
    review = _review(world, case, 100, level=4)
    assert review_due_on(case, review) < timezone.localdate()
    tasks = [t for t in tasks_for(world.member_a) if t.kind == TaskKind.REVIEW_DUE]
    assert [(t.reference, t.overdue) for t in tasks] == [(case.reference, True)]


def test_chart_is_svg_without_script(world):
    case = make_admitted_case(world)
    _review(world, case, 30, level=4)
    _review(world, case, 0, level=2)
    svg = motivation_chart_svg(list(Review.objects.filter(case=case)), baseline=4)
    assert svg.lstrip().startswith("<svg")
    assert "<script" not in svg
