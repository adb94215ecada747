"""The access-log search page (audit:access)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse_lazy

from vejud.audit.services import log_access
from vejud.audit.tests.conftest import ADDRESS, CPR, NAME_FIRST, NAME_LAST
from vejud.testing import CAST, verified_client

URL = reverse_lazy("audit:access")
CPH = ZoneInfo("Europe/Copenhagen")
NOT_AUDITORS = sorted(set(CAST) - {"auditor"} | {"nobody"})


@pytest.fixture
def views(world, sensitive):
    """Log a few views: unit A staff of case A, member B by break-the-glass, B staff of case B."""
    case, other = sensitive.case, sensitive.other_case
    log_access(user=world.coordinator_a, part="summary", person_id=case.person_id, case_id=case.pk)
    log_access(
        user=world.member_b,
        part="identity",
        person_id=case.person_id,
        case_id=case.pk,
        break_glass=True,
        reason="Urgent: the person called our unit",
    )
    log_access(
        user=world.coordinator_b, part="journal", person_id=other.person_id, case_id=other.pk
    )
    return sensitive


def test_auditor_sees_the_log(world, views):
    response = verified_client(world.auditor).get(URL)
    assert response.status_code == 200
    rows = response.context["page"].rows
    assert [r.part for r in rows] == ["journal", "identity", "summary"]
    body = response.content.decode()
    assert views.case.reference in body
    assert str(views.case.person.public_id) in body
    assert "Urgent: the person called our unit" in body
    for secret in (NAME_FIRST, NAME_LAST, CPR, ADDRESS):
        assert secret not in body


@pytest.mark.parametrize("name", NOT_AUDITORS)
def test_every_other_role_is_refused(world, name):
    assert verified_client(getattr(world, name)).get(URL).status_code == 403


def test_post_is_not_allowed(world):
    assert verified_client(world.auditor).post(URL).status_code == 405


def test_search_by_person(world, views):
    client = verified_client(world.auditor)
    rows = client.get(URL, {"subject": str(views.case.person.public_id)}).context["page"].rows
    assert [r.part for r in rows] == ["identity", "summary"]


def test_search_by_case_reference(world, views):
    client = verified_client(world.auditor)
    rows = client.get(URL, {"subject": views.other_case.reference}).context["page"].rows
    assert [r.part for r in rows] == ["journal"]


def test_search_by_user(world, views):
    client = verified_client(world.auditor)
    rows = client.get(URL, {"user": "member_b@test.vejud.dk"}).context["page"].rows
    assert [(r.part, r.break_glass) for r in rows] == [("identity", True)]


def test_break_glass_only(world, views):
    client = verified_client(world.auditor)
    response = client.get(URL, {"break_glass_only": "on"})
    rows = response.context["page"].rows
    assert [r.user_label for r in rows] == ["Member B <member_b@test.vejud.dk>"]
    assert 'type="checkbox"' in response.content.decode()


def test_search_by_time(world, sensitive):
    with time_machine.travel(datetime(2025, 6, 10, 23, 45, tzinfo=CPH), tick=False):
        log_access(user=world.coordinator_a, part="cpr", case_id=sensitive.case.pk)
    with time_machine.travel(datetime(2025, 6, 11, 0, 15, tzinfo=CPH), tick=False):
        log_access(user=world.coordinator_a, part="threats", case_id=sensitive.case.pk)
    client = verified_client(world.auditor)
    day = client.get(URL, {"date_from": "2025-06-10", "date_to": "2025-06-10"})
    assert [r.part for r in day.context["page"].rows] == ["cpr"]
    until = client.get(URL, {"date_to": "2025-06-11"})
    assert [r.part for r in until.context["page"].rows] == ["threats", "cpr"]


def test_unknown_subject_is_a_field_error(world, views):
    response = verified_client(world.auditor).get(URL, {"subject": "EX-1999-99999"})
    assert response.status_code == 200
    assert response.context["page"] is None
    assert 'id="id_subject-error"' in response.content.decode()


def test_keyset_pages(world, views, monkeypatch):
    from vejud.auditor import selectors

    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    client = verified_client(world.auditor)
    first = client.get(URL)
    assert [r.part for r in first.context["page"].rows] == ["journal", "identity"]
    nxt = first.context["page"].next_cursor
    second = client.get(URL, {"after": nxt, "break_glass_only": ""})
    assert [r.part for r in second.context["page"].rows] == ["summary"]
    assert second.context["page"].next_cursor is None


def test_query_count_does_not_grow_with_rows(world, views):
    client = verified_client(world.auditor)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for i in range(20):
        log_access(
            user=world.member_a if i % 2 else world.coordinator_b,
            part="summary",
            person_id=views.other_case.person_id if i % 2 else views.case.person_id,
            case_id=views.other_case.pk if i % 2 else views.case.pk,
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert len(response.context["page"].rows) == 23
    assert len(many) == len(few)
    assert not any("COUNT(" in q["sql"].upper() for q in many.captured_queries)
