"""The dates the services keep on the case for the task list: ``review_from``, ``action_due_on``."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from vejud.courses.services import action_update, agreement_save
from vejud.testing import course_dates_from_rows, make_admitted_case, stored_course_dates
from vejud.testing.builders import add_action, add_goal, record_review


def _restart(world, case, starts_on):
    agreement_save(
        actor=world.member_a,
        case=case,
        parties=["person", "police", "municipality"],
        starts_on=starts_on,
        expected_months=12,
    )


def test_the_services_keep_both_dates_equal_to_what_the_rows_say(world):
    today = timezone.localdate()
    case = make_admitted_case(world)
    other = make_admitted_case(world, first_name="Other")
    ids = [case.pk, other.pk]

    def check(review_from, action_due_on):
        assert stored_course_dates(ids) == course_dates_from_rows(ids)
        assert stored_course_dates([case.pk])[case.pk] == (review_from, action_due_on)

    check(today, None)  # the course started: reviews count from its start
    goal = add_goal(world, case, "housing", "A flat")
    owned = add_action(world, goal, "Owned", due_in=-5, owner=world.member_a)
    check(today, None)  # an owned action is its owner's task, not the unit's
    late = add_action(world, goal, "Unowned, later", due_in=30, owner_agency="police")
    check(today, late.deadline)
    soon = add_action(world, goal, "Unowned, sooner", due_in=3, owner_agency="police")
    check(today, soon.deadline)
    action_update(actor=world.member_a, action=soon, status="in_progress")
    check(today, soon.deadline)  # in progress is still open
    action_update(
        actor=world.member_a, action=soon, status="in_progress", deadline=today + timedelta(days=40)
    )
    check(today, late.deadline)  # a moved deadline
    action_update(actor=world.member_a, action=late, status="done", outcome="Done")
    check(today, today + timedelta(days=40))  # a completed action
    action_update(actor=world.member_a, action=soon, status="dropped")
    check(today, None)
    action_update(actor=world.member_a, action=late, status="planned")
    check(today, late.deadline)  # reopened
    action_update(actor=world.member_a, action=owned, status="done")
    check(today, late.deadline)

    started = today - timedelta(days=120)
    _restart(world, case, started)
    check(started, late.deadline)  # a moved course start, before any review
    record_review(world, case, on=today - timedelta(days=20))
    check(today - timedelta(days=20), late.deadline)
    record_review(world, case, on=today - timedelta(days=60))  # recorded late, dated earlier
    check(today - timedelta(days=20), late.deadline)
    _restart(world, case, today - timedelta(days=10))
    check(today - timedelta(days=20), late.deadline)  # a review counts, not the start
    assert stored_course_dates([other.pk])[other.pk] == (today, None)  # the other case untouched
