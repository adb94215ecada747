"""The pool's tasks on the task list: applications to decide, and the pool's questions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vejud.pool.services import application_answer, application_decide
from vejud.testing import verified_client
from vejud.testing.pool import make_application, make_pool, make_pool_case
from vejud.worklist.selectors import TaskKind, tasks_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(world):
    make_pool(world)
    return make_application(world, make_pool_case(world))


def _grant_tasks(user):
    kinds = {TaskKind.GRANT_AWAITING, TaskKind.GRANT_INFORMATION}
    return {(t.kind, t.reference, t.application_id) for t in tasks_for(user) if t.kind in kinds}


def test_submitted_application_tasks_the_decision_maker_only(world, application):
    ref = application.case.reference
    assert _grant_tasks(world.decision_maker) == {(TaskKind.GRANT_AWAITING, ref, application.pk)}
    for name in ("head", "adviser", "member_a", "coordinator_a", "member_b", "custody"):
        assert _grant_tasks(world.users[name]) == set(), name


def test_question_tasks_the_applying_unit_until_answered(world, application):
    application = application_decide(
        actor=world.decision_maker, application=application, outcome="ask", reason="Quote?"
    )
    ref = application.case.reference
    expected = {(TaskKind.GRANT_INFORMATION, ref, application.pk)}
    assert _grant_tasks(world.member_a) == expected
    assert _grant_tasks(world.coordinator_a) == expected
    assert _grant_tasks(world.member_b) == set()
    assert _grant_tasks(world.decision_maker) == set()
    page = verified_client(world.member_a).get(reverse("worklist:tasks")).content.decode()
    link = reverse("pool:application", kwargs={"reference": ref, "application_id": application.pk})
    assert f'href="{link}"' in page
    assert "The pool asks for information on a grant application" in page
    application_answer(actor=world.member_a, application=application, answer="Attached.")
    assert _grant_tasks(world.member_a) == set()
    assert _grant_tasks(world.decision_maker) == {(TaskKind.GRANT_AWAITING, ref, application.pk)}


def test_grant_tasks_cost_the_same_queries_however_many(world, application):
    def count(user):
        with CaptureQueriesContext(connection) as queries:
            tasks_for(user)
        return len(queries)

    count(world.decision_maker), count(world.member_a)  # the scope is cached on the user
    few = (count(world.decision_maker), count(world.member_a))
    for i in range(15):
        other = make_application(world, make_pool_case(world, first_name=f"T{i}"))
        if i % 2:
            application_decide(
                actor=world.decision_maker, application=other, outcome="ask", reason="More?"
            )
    assert (count(world.decision_maker), count(world.member_a)) == few


def test_no_grant_task_on_a_person_who_bars_the_user(world, application):
    from vejud.people.services import person_access_rule_add

    person_access_rule_add(
        actor=world.head,
        person=application.case.person,
        kind="exclusion",
        user=world.decision_maker,
        message="Family member.",
    )
    assert _grant_tasks(world.decision_maker) == set()
    response = verified_client(world.decision_maker).get(
        reverse(
            "pool:application",
            kwargs={"reference": application.case.reference, "application_id": application.pk},
        )
    )
    assert response.status_code == 404  # barred reads as "does not exist", as on the case page
