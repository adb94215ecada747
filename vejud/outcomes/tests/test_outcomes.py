"""Outcomes after the course: the due date kept on the case, the service's rules, the page, the
API, the panel and the task list per role."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from vejud.audit.models import AuditEvent
from vejud.cases.models import Case
from vejud.cases.services import mentor_assign
from vejud.core.errors import ConflictError
from vejud.courses.selectors import add_months
from vejud.courses.services import case_close
from vejud.outcomes.models import CaseOutcome
from vejud.outcomes.services import outcome_record
from vejud.testing import make_admitted_case, verified_client
from vejud.testing.api import JsonApi
from vejud.worklist.selectors import TaskKind, tasks_for


def _close(world, reason="completed"):
    case = make_admitted_case(world)
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    case_close(actor=world.member_a, case=case, reason=reason, summary="Done.")
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def closed(world):
    return _close(world)


def _later(months, days=0):
    """Travel to noon (Copenhagen) of the day ``months`` and ``days`` from today: a fixed
    number of hours ahead would land on the next day late in a winter evening, once summer
    time has moved the clock."""
    day = add_months(timezone.localdate(), months) + timedelta(days=days)
    noon = datetime.combine(day, time(12), tzinfo=timezone.get_current_timezone())
    return time_machine.travel(noon, tick=False)


def _record(world, case, months, actor=None, **kwargs):
    data = {"reregistered": "no", "new_charges": "unknown", **kwargs}
    return outcome_record(actor=actor or world.member_a, case=case, months=months, **data)


def _due_on(case):
    return Case.objects.values_list("outcome_due_on", flat=True).get(pk=case.pk)


def test_closing_sets_the_first_due_date_and_recording_advances_it(world, closed):
    today = timezone.localdate()
    assert _due_on(closed) == add_months(today, 6)
    with _later(6):
        _record(world, closed, 6)
    assert _due_on(closed) == add_months(today, 12)
    with _later(24):
        _record(world, closed, 24)
        assert _due_on(closed) == add_months(today, 12)  # the missed point stays due
        _record(world, closed, 12)
    assert _due_on(closed) is None
    assert sorted(CaseOutcome.objects.values_list("months", flat=True)) == [6, 12, 24]
    assert AuditEvent.objects.filter(action="outcome.record").count() == 3


@pytest.mark.parametrize("reason", ["moved_abroad", "deceased"])
def test_a_course_that_ended_otherwise_is_not_followed_up(world, reason):
    case = _close(world, reason)
    assert _due_on(case) is None
    with _later(6), pytest.raises(ValidationError):
        _record(world, case, 6)


def test_only_a_point_that_has_come(world, closed):
    with _later(6, days=-1), pytest.raises(ValidationError) as error:
        _record(world, closed, 6)
    assert error.value.code == "months"
    with _later(6), pytest.raises(ValidationError):
        _record(world, closed, 7)  # not a configured point
    assert not CaseOutcome.objects.exists()


def test_not_twice(world, closed):
    with _later(6):
        _record(world, closed, 6)
        with pytest.raises(ConflictError):
            _record(world, closed, 6, actor=world.coordinator_a)


def test_the_account_needs_the_person_s_consent_and_is_encrypted(world, closed):
    with _later(6):
        with pytest.raises(ValidationError) as error:
            _record(world, closed, 6, account="I am out.")
        assert error.value.code == "account"
        with pytest.raises(ValidationError) as error:
            _record(world, closed, 6, consented=True, account="I am out.")
        assert error.value.code == "consented_on"
        outcome = _record(
            world,
            closed,
            6,
            consented=True,
            consented_on=timezone.localdate(),
            account="I am out and working.",
        )
    assert CaseOutcome.objects.get(pk=outcome.pk).account == "I am out and working."
    with connection.cursor() as cursor:
        cursor.execute("SELECT account FROM outcomes_caseoutcome WHERE id = %s", [outcome.pk])
        assert "working" not in cursor.fetchone()[0]
    event = AuditEvent.objects.get(action="outcome.record")
    assert "working" not in str(event.changes)


def test_another_unit_and_the_mentor_may_not(world, closed):
    with _later(6):
        for actor in (world.member_b, world.mentor, world.analyst):
            with pytest.raises(PermissionDenied):
                _record(world, closed, 6, actor=actor)


def _page(case):
    return reverse("outcomes:outcome_new", kwargs={"reference": case.reference})


def test_the_page_records_and_refuses_by_role(world, closed):
    with _later(6):
        assert verified_client(world.member_b).get(_page(closed)).status_code == 404
        assert verified_client(world.analyst).get(_page(closed)).status_code == 403
        # The mentor sees the mentor's parts only: the journal part's pages are 404.
        assert verified_client(world.mentor).get(_page(closed)).status_code == 404
        client = verified_client(world.member_a)
        form = client.get(_page(closed))
        assert form.status_code == 200 and "6 months" in form.content.decode()
        data = {"months": 6, "reregistered": "no", "new_charges": "yes"}
        response = client.post(_page(closed), data)
        assert response.status_code == 302, response.content.decode()
        again = client.post(_page(closed), data)
        assert again.status_code in (200, 409)  # the point is no longer offered
        html = client.get(closed.get_absolute_url()).content.decode()
        assert "Outcomes after the course" in html
        mentor_html = verified_client(world.mentor).get(closed.get_absolute_url()).content.decode()
        assert "Outcomes after the course" not in mentor_html
    assert CaseOutcome.objects.get().new_charges == "yes"


def _api(case):
    return f"/api/v1/cases/{case.reference}/outcomes"


def test_the_api_lists_and_records(world, closed):
    body = {"months": 6, "reregistered": "yes", "new_charges": "no"}
    with _later(6):
        api = JsonApi(world.member_a)  # a token made now (tokens expire)
        listed = api.get(_api(closed)).json()
        assert listed["next_due_on"] == add_months(timezone.localdate(), 0).isoformat()
        assert [p["months"] for p in listed["points"]] == [6, 12, 24]
        assert listed["can_record"] is True
        response = api.post(_api(closed), {**body, "account": "Fine."})
        assert response.status_code == 422
        response = api.post(_api(closed), body)
        assert response.status_code == 201, response.content
        assert response.json()["reregistered"] == "yes"
        assert api.post(_api(closed), body).status_code == 409
        assert api.post(_api(closed), {**body, "months": 12}).status_code == 422
        listed = api.get(_api(closed)).json()
        assert [o["months"] for o in listed["outcomes"]] == [6]
        assert JsonApi(world.member_b).get(_api(closed)).status_code == 404
        assert JsonApi(world.analyst).get(_api(closed)).status_code == 403
        assert JsonApi(world.analyst).post(_api(closed), body).status_code == 403
        assert JsonApi(world.mentor).post(_api(closed), body).status_code in (403, 404)


def _outcome_tasks(user):
    return [
        (t.reference, t.due_on, t.overdue)
        for t in tasks_for(user)
        if t.kind == TaskKind.OUTCOME_DUE
    ]


def test_the_task_list_shows_the_due_outcome_to_the_unit_only(world, closed):
    due = add_months(timezone.localdate(), 6)
    assert _outcome_tasks(world.member_a) == []  # six months ahead: not yet
    with _later(6, days=-7):
        assert _outcome_tasks(world.member_a) == [(closed.reference, due, False)]
    with _later(6, days=1):
        for user in (world.member_a, world.coordinator_a):
            assert _outcome_tasks(user) == [(closed.reference, due, True)]
        for user in (world.member_b, world.mentor, world.analyst):
            assert _outcome_tasks(user) == []
        assert [t.kind for t in tasks_for(world.member_a, closed)] == [TaskKind.OUTCOME_DUE]
        _record(world, closed, 6)
        assert _outcome_tasks(world.member_a) == []


def test_a_course_closed_afterwards_counts_from_the_day_it_ended(world):
    case = make_admitted_case(world)
    with _later(12):
        ended = timezone.localdate() - timedelta(days=200)
        with pytest.raises(ValidationError):
            case_close(
                actor=world.member_a,
                case=case,
                reason="completed",
                summary="Done.",
                ended_on=timezone.localdate() + timedelta(days=1),
            )
        case_close(
            actor=world.member_a, case=case, reason="completed", summary="Done.", ended_on=ended
        )
        assert _due_on(case) == add_months(ended, 6)
        assert _outcome_tasks(world.coordinator_a)[0][2] is True  # overdue already
        _record(world, Case.objects.get(pk=case.pk), 6)
        assert _due_on(case) == add_months(ended, 12)
