"""The task list's course kinds: follow-up reviews and plan actions due."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vejud.cases.services import mentor_assign
from vejud.core.request_cache import request_scope
from vejud.courses.services import action_add, agreement_save, case_close
from vejud.testing import make_admitted_case
from vejud.testing.builders import add_goal, log_flagged_meeting, record_review
from vejud.worklist import selectors
from vejud.worklist.selectors import TaskKind, tasks_for


def _due(user, kind):
    return [(t.reference, t.due_on, t.overdue) for t in tasks_for(user) if t.kind == kind]


def _course(world, name, *, started_days_ago=0):
    case = make_admitted_case(world, first_name=name)
    if started_days_ago:
        agreement_save(
            actor=world.member_a,
            case=case,
            parties=["person", "police", "municipality"],
            starts_on=timezone.localdate() - timedelta(days=started_days_ago),
            expected_months=12,
        )
        case.refresh_from_db()
    return case


def _action(world, case, in_days, owner=None):
    goal = add_goal(world, case, "housing", "A flat")
    return action_add(
        actor=world.member_a,
        goal=goal,
        description="Apply for housing",
        owner_agency="municipality" if owner else "police",
        owner=owner,
        deadline=timezone.localdate() + timedelta(days=in_days),
    )


def _review(world, case):
    record_review(world, case)


def test_a_review_falls_due_before_the_interval_ends_and_goes_with_the_review(world):
    case = make_admitted_case(world)
    due = case.course_started_on + timedelta(days=90)
    assert _due(world.member_a, TaskKind.REVIEW_DUE) == []
    with time_machine.travel(timezone.now() + timedelta(days=75)):
        assert _due(world.member_a, TaskKind.REVIEW_DUE) == []
    with time_machine.travel(timezone.now() + timedelta(days=80)):
        assert _due(world.member_a, TaskKind.REVIEW_DUE) == [(case.reference, due, False)]
    with time_machine.travel(timezone.now() + timedelta(days=100)):
        assert _due(world.coordinator_a, TaskKind.REVIEW_DUE) == [(case.reference, due, True)]
        assert _due(world.member_b, TaskKind.REVIEW_DUE) == []
        _review(world, case)
        assert _due(world.member_a, TaskKind.REVIEW_DUE) == []
    with time_machine.travel(timezone.now() + timedelta(days=185)):
        later = due + timedelta(days=10 + 90)  # 90 days after the review
        assert _due(world.member_a, TaskKind.REVIEW_DUE) == [(case.reference, later, False)]


def test_among_more_courses_than_read_the_most_urgent_are_found(world, monkeypatch):
    # The oldest courses are due: reading any TASK_LIMIT courses (not the first due) missed them.
    monkeypatch.setattr(selectors, "TASK_LIMIT", 3)
    today = timezone.localdate()
    first = _course(world, "First", started_days_ago=100)
    second = _course(world, "Second", started_days_ago=85)
    rest = [_course(world, name) for name in ("Third", "Fourth", "Fifth")]
    for case, in_days in zip([first, second, *rest], (-2, -1, 10, 5, 60), strict=True):
        _action(world, case, in_days)

    reviews = _due(world.member_a, TaskKind.REVIEW_DUE)
    actions = _due(world.member_a, TaskKind.ACTION_DUE)

    interval = timedelta(days=90)
    assert reviews == [
        (first.reference, first.course_started_on + interval, True),
        (second.reference, second.course_started_on + interval, False),
    ]
    # The three most urgent of the four actions due within the horizon, most urgent first.
    assert actions == [
        (first.reference, today - timedelta(days=2), True),
        (second.reference, today - timedelta(days=1), True),
        (rest[1].reference, today + timedelta(days=5), False),
    ]
    assert _due(world.member_b, TaskKind.ACTION_DUE) == []
    assert _due(world.member_b, TaskKind.REVIEW_DUE) == []


def test_an_owned_action_reaches_its_owner_and_an_unowned_one_the_unit(world):
    today = timezone.localdate()
    case = make_admitted_case(world)
    _action(world, case, 1, owner=world.member_a)
    _action(world, case, 3)
    _action(world, case, 30)  # beyond the horizon

    mine = [(ref, due) for ref, due, _ in _due(world.member_a, TaskKind.ACTION_DUE)]
    assert mine == [
        (case.reference, today + timedelta(days=1)),
        (case.reference, today + timedelta(days=3)),
    ]
    unit = [(ref, due) for ref, due, _ in _due(world.coordinator_a, TaskKind.ACTION_DUE)]
    assert unit == [(case.reference, today + timedelta(days=3))]
    for outsider in (world.member_b, world.coordinator_b, world.adviser, world.mentor):
        assert _due(outsider, TaskKind.ACTION_DUE) == []

    case_close(actor=world.coordinator_a, case=case, reason="completed", summary="Done.")
    with time_machine.travel(timezone.now() + timedelta(days=200)):
        for user in (world.member_a, world.coordinator_a):
            assert _due(user, TaskKind.ACTION_DUE) == []
            assert _due(user, TaskKind.REVIEW_DUE) == []


def _due_course(world, name):
    case = _course(world, name, started_days_ago=100)
    _action(world, case, -1)
    _action(world, case, 2, owner=world.coordinator_a)
    return case


def test_query_count_does_not_grow_with_courses(world):
    _due_course(world, "One")
    with request_scope(), CaptureQueriesContext(connection) as few:
        few_tasks = tasks_for(world.coordinator_a)
    for name in ("Two", "Three", "Four"):
        _due_course(world, name)
    with request_scope(), CaptureQueriesContext(connection) as many:
        many_tasks = tasks_for(world.coordinator_a)

    # The persons whose lists bar the user (once a request), one query per kind of task, and the unowned actions of the courses.
    assert len(many) == len(few) == 18, [q["sql"][:90] for q in few.captured_queries]
    kinds = (TaskKind.ACTION_DUE, TaskKind.REVIEW_DUE)
    assert sum(t.kind in kinds for t in few_tasks) == 3
    assert sum(t.kind in kinds for t in many_tasks) == 12


def _flag_tasks(user):
    kinds = (TaskKind.MENTOR_ATTENTION, TaskKind.EARLY_WARNING)
    return [t for t in tasks_for(user) if t.kind in kinds]


def test_flags_have_no_deadline_say_which_one_and_end_when_the_case_closes(world):
    """Rough edge 2 (issue 14): flags showed as overdue, two warnings of a case looked the
    same, and closing the case left them on the task list."""
    case = make_admitted_case(world)  # signed motivation level 4
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    log_flagged_meeting(world, case)
    record_review(world, case, days_ago=1, level=2)  # motivation drop
    today = timezone.localdate()
    record_review(world, case, level=2, risk_events=[{"kind": "threat", "occurred_on": today}])
    flags = _flag_tasks(world.coordinator_a)
    assert sorted(t.kind for t in flags) == [
        TaskKind.EARLY_WARNING,
        TaskKind.EARLY_WARNING,
        TaskKind.MENTOR_ATTENTION,
    ]
    assert not any(t.overdue for t in flags)
    warnings = [t.detail for t in flags if t.kind == TaskKind.EARLY_WARNING]
    assert len(set(warnings)) == 2, warnings
    assert any("Motivation fell" in d for d in warnings)
    assert any("risk event" in d for d in warnings)
    meeting = next(t.detail for t in flags if t.kind == TaskKind.MENTOR_ATTENTION)
    assert meeting.startswith("Meeting of ")
    case.refresh_from_db()
    case_close(
        actor=world.coordinator_a,
        case=case,
        reason="completed",
        summary="Done.",
        expected_version=case.version,
    )
    assert _flag_tasks(world.coordinator_a) == []
