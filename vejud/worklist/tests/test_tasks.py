from __future__ import annotations

from datetime import timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vejud.core.request_cache import request_scope
from vejud.decisions.services import (
    information_request_create,
    referral_create,
    unit_decision_record,
)
from vejud.testing import make_assessed_case, make_case
from vejud.worklist.selectors import Described, Task, TaskKind, tasks_for


def _kinds(user):
    return {(t.kind, t.reference) for t in tasks_for(user)}


def test_assessment_due_and_consent_missing_for_the_unit(world):
    case = make_case(world.coordinator_a, world.unit_a)
    assert (TaskKind.ASSESSMENT_DUE, case.reference) in _kinds(world.member_a)
    assert (TaskKind.CONSENT_MISSING, case.reference) in _kinds(world.member_a)
    assert _kinds(world.member_b) == set()
    assert _kinds(world.mentor) == set()


def test_overdue_assessment_comes_first(world):
    old = make_case(world.coordinator_a, world.unit_a)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        new = make_case(world.coordinator_a, world.unit_a, first_name="Other")
        tasks = [t for t in tasks_for(world.member_a) if t.kind == TaskKind.ASSESSMENT_DUE]
    assert [t.reference for t in tasks] == [old.reference, new.reference]
    assert tasks[0].overdue and not tasks[1].overdue


def test_ready_for_decision_reaches_the_coordinator_only(world):
    case = make_assessed_case(world)
    assert (TaskKind.READY_FOR_DECISION, case.reference) in _kinds(world.coordinator_a)
    assert (TaskKind.READY_FOR_DECISION, case.reference) not in _kinds(world.member_a)


def test_referral_reaches_the_decision_maker_and_questions_reach_the_unit(world):
    case = make_assessed_case(world)
    unit_decision_record(
        actor=world.coordinator_a,
        case=case,
        outcome="refuse",
        grounds=["not_motivated"],
        reasoning="Not motivated.",
    )
    referral_create(actor=world.member_a, case=case)
    assert (TaskKind.REFERRAL_AWAITING, case.reference) in _kinds(world.decision_maker)
    assert (TaskKind.REFERRAL_AWAITING, case.reference) not in _kinds(world.adviser)
    case.refresh_from_db()
    information_request_create(
        actor=world.decision_maker, case=case, question="More about the family?"
    )
    assert (TaskKind.INFORMATION_REQUESTED, case.reference) in _kinds(world.member_a)


def test_query_count_does_not_grow_with_cases(world):
    for i in range(3):
        make_case(world.coordinator_a, world.unit_a, first_name=f"A{i}")
    with request_scope(), CaptureQueriesContext(connection) as few:
        tasks_for(world.coordinator_a)
    for i in range(30):
        make_case(world.coordinator_a, world.unit_a, first_name=f"B{i}")
    with request_scope(), CaptureQueriesContext(connection) as many:
        tasks_for(world.coordinator_a)
    # The persons whose lists bar the user (once a request), then one query per kind of task (no courses: no unowned actions; the unit's advice requests one).
    assert len(many) == len(few) == 17, [q["sql"][:90] for q in few.captured_queries]


def test_the_page_shows_only_the_most_urgent_tasks(world, monkeypatch):
    from django.urls import reverse

    from vejud.testing import verified_client
    from vejud.worklist import views

    for i in range(3):
        make_case(world.coordinator_a, world.unit_a, first_name=f"U{i}")
    monkeypatch.setattr(views, "TASKS_SHOWN", 2)

    response = verified_client(world.coordinator_a).get(reverse("worklist:tasks"))

    assert len(response.context["tasks"]) == 2
    assert response.context["more"] is True
    assert "most urgent tasks are shown" in response.content.decode()


def test_the_open_statuses_are_those_the_state_table_does_not_end_in():
    """The warnings' and mentor flags' condition names the open statuses (for the planner);
    they must stay exactly the statuses that are not terminal."""
    from vejud.cases.models import OPEN_STATUSES, CaseStatus
    from vejud.cases.states import TERMINAL

    assert set(OPEN_STATUSES) == set(CaseStatus) - set(TERMINAL)


def test_the_rows_link_and_print_as_the_tasks_say():
    """The page's rows (``rows.task_rows``) are the tasks' own labels, statuses and dates, and
    link where the tasks lead: their own page, the transfers, the application, the case."""
    from datetime import date

    from django.urls import reverse
    from django.utils.formats import date_format

    from vejud.worklist.rows import task_rows

    day = date(2026, 3, 4)
    tasks = [
        Task(TaskKind.ADVICE_NEW, "Request 7", "", None, False, href="/x/7/", status_text="New"),
        Task(TaskKind.TRANSFER_INCOMING, "EX-2026-00001", "admitted", None, False),
        Task(TaskKind.GRANT_AWAITING, "EX-2026-00002", "admitted", None, False, 12),
        Task(TaskKind.ACTION_DUE, "EX-2026-00003", "admitted", day, True, note="Goal"),
    ]
    rows = task_rows(tasks)
    assert [row.href for row in rows] == [
        "/x/7/",
        reverse("transfers:incoming"),
        reverse("pool:application", kwargs={"reference": "EX-2026-00002", "application_id": 12}),
        reverse("cases:detail", kwargs={"reference": "EX-2026-00003"}),
    ]
    for task, row in zip(tasks, rows, strict=True):
        assert (row.label, row.status_label, row.reference, row.detail, row.overdue) == (
            str(task.label),
            task.status_label,
            task.reference,
            task.detail,
            task.overdue,
        )
    assert [row.due_on for row in rows] == ["", "", "", date_format(day, "SHORT_DATE_FORMAT")]


def test_a_described_task_works_out_its_detail_only_when_read():
    """A warning's or meeting's text (a translation and a date) is made only for the tasks
    shown: the list reads up to TASK_LIMIT of each kind and shows TASKS_SHOWN of them all.
    Tasks compare by what their text is made from, as they compared by the text before."""
    calls: list[str] = []

    def describe(reason: str) -> str:
        calls.append(reason)
        return f"{reason} (raised 01.02.2026)"

    def warning(reason: str) -> Task:
        described = Described(describe, (reason,))
        return Task(
            TaskKind.EARLY_WARNING, "EX-2026-00004", "admitted", None, False, describe=described
        )

    task = warning("Threat")
    assert calls == []
    assert task.detail == "Threat (raised 01.02.2026)"
    assert calls == ["Threat"]
    assert task == warning("Threat")
    assert task != warning("Relapse")
    assert calls == ["Threat"]  # comparing made no text
    assert (
        Task(TaskKind.ADVICE_NEW, "Request 8", "", None, False, note="Housing").detail == "Housing"
    )


def test_a_case_review_is_no_task_for_a_member_its_person_excludes(world):
    from vejud.people.services import person_access_rule_add
    from vejud.testing.quality import make_round, send_review

    barred = make_case(world.coordinator_a, world.unit_a, first_name="Zelda")
    person_access_rule_add(
        actor=world.coordinator_a, person=barred.person, kind="exclusion", user=world.member_a
    )
    round_ = make_round(world.head, [world.unit_a], per_unit=5)
    send_review(world.head, round_.reviews.get(case=barred))
    assert (TaskKind.REVIEW_ANSWER, barred.reference) in _kinds(world.coordinator_a)
    assert (TaskKind.REVIEW_ANSWER, barred.reference) not in _kinds(world.member_a)
