"""A person's exclusion list bars a user everywhere: tasks (hole 4) and assignment.

Hole 4: an excluded coordinator got 403 on the case but still saw it as a task in
``/opgaver/`` and ``/api/v1/tasks`` (the mentor's flag for the coordinator, and actions the
user owns). Assignment: a barred user cannot be made the person's mentor or the named
owner of a plan action, and is not offered in the pickers (pages and API).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from vejud.access.assignment import mentor_candidates, owner_candidates
from vejud.access.tests.support import Api, task_references
from vejud.accounts.models import Role
from vejud.cases.services import mentor_assign
from vejud.courses.services import action_add, goal_add, meeting_log
from vejud.people.services import person_access_rule_add
from vejud.testing import make_admitted_case, make_user, verified_client
from vejud.worklist.selectors import TaskKind, tasks_for


def exclude(world, case, user):
    person_access_rule_add(
        actor=world.head, person=case.person, kind="exclusion", user=user, message="Conflict."
    )


def test_an_excluded_coordinator_gets_no_task_for_the_person(world):
    case = make_admitted_case(world, first_name="Flagged", last_name="Person")
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    meeting_log(
        actor=world.mentor,
        case=case,
        met_on=timezone.localdate(),
        form="phone",
        duration_minutes=20,
        needs_attention=True,
    )
    goal = goal_add(actor=world.member_a, case=case, life_area="housing", goal="A flat.")
    action_add(
        actor=world.member_a,
        goal=goal,
        description="Find a flat.",
        owner_agency="municipality",
        deadline=timezone.localdate(),
        owner=world.coordinator_a,
    )
    before = {(t.kind, t.reference) for t in tasks_for(world.coordinator_a)}
    assert {
        (TaskKind.MENTOR_ATTENTION, case.reference),
        (TaskKind.ACTION_DUE, case.reference),
    } <= before
    exclude(world, case, world.coordinator_a)
    assert case.reference not in {t.reference for t in tasks_for(world.coordinator_a)}
    page, api = task_references(world.coordinator_a)
    assert case.reference not in page | api
    # The case itself is closed to them too.
    detail = reverse("cases:detail", kwargs={"reference": case.reference})
    assert verified_client(world.coordinator_a).get(detail).status_code in (403, 404)


def second_mentor(world):
    return make_user("mentor2@test.vejud.dk", "Second Mentor", world.unit_a, Role.MENTOR)


def test_a_barred_user_is_not_offered_and_cannot_be_made_mentor(world):
    case = make_admitted_case(world)
    other = second_mentor(world)
    assert set(mentor_candidates(case)) == {world.mentor, other}
    exclude(world, case, world.mentor)
    assert list(mentor_candidates(case)) == [other]
    with pytest.raises(ValidationError) as raised:
        mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    assert raised.value.code == "barred"
    assert not case.mentor_assignments.exists()
    # The page's picker and the API's list offer only the other mentor.
    page = verified_client(world.coordinator_a).get(
        reverse("courses:mentor_assign", kwargs={"reference": case.reference})
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert f'<option value="{other.pk}"' in body
    assert f'<option value="{world.mentor.pk}"' not in body
    course = Api(world.coordinator_a).get(f"/api/v1/cases/{case.reference}/course").json()
    assert [p["email"] for p in course["mentor_candidates"]] == [other.email]
    assert world.mentor.email not in [p["email"] for p in course["owner_candidates"]]
    refused = Api(world.coordinator_a).post(
        f"/api/v1/cases/{case.reference}/mentor", {"mentor": world.mentor.email}
    )
    assert refused.status_code == 422
    assert not case.mentor_assignments.exists()


def test_a_barred_user_cannot_own_a_plan_action(world):
    case = make_admitted_case(world)
    exclude(world, case, world.member_b)  # not of the case's unit: never offered anyway
    exclude(world, case, world.coordinator_a)
    owners = set(owner_candidates(case))
    assert world.coordinator_a not in owners and world.member_a in owners
    goal = goal_add(actor=world.member_a, case=case, life_area="housing", goal="A flat.")
    with pytest.raises(ValidationError) as raised:
        action_add(
            actor=world.member_a,
            goal=goal,
            description="Find a flat.",
            owner_agency="municipality",
            deadline=timezone.localdate(),
            owner=world.coordinator_a,
        )
    assert raised.value.code == "barred"


def test_a_restriction_list_leaves_only_the_named_users_assignable(world):
    case = make_admitted_case(world)
    other = second_mentor(world)
    for user in (world.member_a, world.coordinator_a, other):
        person_access_rule_add(actor=world.head, person=case.person, kind="restriction", user=user)
    assert list(mentor_candidates(case)) == [other]
    assert set(owner_candidates(case)) == {world.member_a, world.coordinator_a}
    with pytest.raises(ValidationError):
        mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    assert mentor_assign(actor=world.coordinator_a, case=case, mentor=other).mentor == other
