"""The user's open tasks on one case (issue 14: the case page says what needs doing): the
same tasks the task list holds for the case, narrowed in each query, loaded into the case page
by htmx or shown as a page of its own; gated like the case (other unit 404)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from vejud.cases.services import mentor_assign
from vejud.core.request_cache import request_scope
from vejud.testing import verified_client
from vejud.testing.builders import log_flagged_meeting, make_assessment_case, record_review
from vejud.worklist.selectors import TaskKind, tasks_for
from vejud.worklist.tests.test_course_tasks import _due_course


def _world_of_tasks(world):
    cases = [_due_course(world, name) for name in ("One", "Two")]
    for case in cases:
        mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
        log_flagged_meeting(world, case)
        record_review(world, case, level=1)
    cases.append(make_assessment_case(world, first_name="Three"))
    return cases


def test_the_case_tasks_are_the_task_lists_tasks_of_the_case(world):
    cases = _world_of_tasks(world)
    for user in (world.member_a, world.coordinator_a, world.mentor, world.member_b):
        everything = tasks_for(user)
        for case in cases:
            expected = [t for t in everything if t.reference == case.reference]
            assert tasks_for(user, case) == expected, (user, case)
    kinds = {t.kind for t in tasks_for(world.coordinator_a, cases[0])}
    assert {TaskKind.ACTION_DUE, TaskKind.MENTOR_ATTENTION} <= kinds
    assert tasks_for(world.member_b, cases[0]) == []


def test_case_tasks_cost_a_fixed_number_of_queries(world):
    cases = _world_of_tasks(world)
    with request_scope(), CaptureQueriesContext(connection) as one:
        tasks_for(world.coordinator_a, cases[0])
    with request_scope(), CaptureQueriesContext(connection) as other:
        tasks_for(world.coordinator_a, cases[1])
    with request_scope(), CaptureQueriesContext(connection) as assessing:
        tasks_for(world.coordinator_a, cases[2])
    # The persons whose lists bar the user, then one query per kind of task, less the kinds
    # the case's status rules out: on a course no assessment, consent or decision (14); in
    # assessment no plan actions (the user's own, the courses'), review or release plan (12).
    assert len(one) == len(other) == 14, [q["sql"][:90] for q in one.captured_queries]
    assert len(assessing) == 12, [q["sql"][:90] for q in assessing.captured_queries]


def test_the_case_page_loads_them_and_the_fragment_lists_them(world):
    case = _world_of_tasks(world)[0]
    client = verified_client(world.coordinator_a)
    url = f"/opgaver/sag/{case.reference}/"
    page = client.get(case.get_absolute_url()).content.decode()
    assert f'hx-get="{url}"' in page and 'id="tasks-heading"' in page
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert "<html" not in html and "The mentor asks for the unit" in html
    full = client.get(url).content.decode()
    assert "<html" in full and case.reference in full


def test_other_unit_404_and_a_role_without_cases_403(world):
    case = _world_of_tasks(world)[0]
    url = f"/opgaver/sag/{case.reference}/"
    assert verified_client(world.member_b).get(url).status_code == 404
    assert verified_client(world.sysadmin).get(url).status_code == 403
    assert verified_client(world.member_a).get("/opgaver/sag/EX-2000-99999/").status_code == 404
