"""The audit-trail search page (audit:events)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, reverse_lazy

from vejud.audit.tests.conftest import ADDRESS, CPR, NAME_FIRST, NAME_LAST, THREATS
from vejud.people.services import person_update
from vejud.testing import CAST, make_case, verified_client

URL = reverse_lazy("audit:events")
CPH = ZoneInfo("Europe/Copenhagen")
NOT_AUDITORS = sorted(set(CAST) - {"auditor"} | {"nobody"})


def test_auditor_sees_the_trail(world, sensitive):
    response = verified_client(world.auditor).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "case.open" in body
    assert "protected_address.create" in body
    assert sensitive.case.reference in body
    assert str(sensitive.case.person.public_id) in body


@pytest.mark.parametrize("name", NOT_AUDITORS)
def test_every_other_role_is_refused(world, name):
    response = verified_client(getattr(world, name)).get(URL)
    assert response.status_code == 403


def test_anonymous_is_sent_to_login(world):
    from django.test import Client

    response = Client().get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_post_is_not_allowed(world):
    response = verified_client(world.auditor).post(URL)
    assert response.status_code == 405


def test_no_person_names_cpr_threats_or_address(world, sensitive):
    person_update(
        actor=world.coordinator_a,
        person=sensitive.case.person,
        first_name="Zacharias",
        threat_notes="New threat from the Osprey crew",
        reason="Name change",
    )
    body = verified_client(world.auditor).get(URL).content.decode()
    for secret in (NAME_FIRST, NAME_LAST, "Zacharias", CPR, "010190", THREATS, "Osprey", ADDRESS):
        assert secret not in body
    assert "first_name" in body  # the auditor sees that the name changed, not what to
    assert "[protected:" in body  # fingerprints show that protected values changed
    assert "Name change" in body


def _seqs(response) -> list[int]:
    return [row.seq for row in response.context["page"].rows]


def test_search_by_person_uuid(world, sensitive):
    client = verified_client(world.auditor)
    response = client.get(URL, {"subject": str(sensitive.case.person.public_id)})
    rows = response.context["page"].rows
    assert {r.action for r in rows} == {"person.create", "case.open", "protected_address.create"}
    assert all(r.person_uuid == str(sensitive.case.person.public_id) for r in rows)


def test_search_by_case_reference(world, sensitive):
    client = verified_client(world.auditor)
    response = client.get(URL, {"subject": sensitive.other_case.reference.lower()})
    rows = response.context["page"].rows
    assert [r.action for r in rows] == ["case.open"]
    assert rows[0].case_reference == sensitive.other_case.reference


def test_search_by_user_email(world, sensitive):
    client = verified_client(world.auditor)
    response = client.get(URL, {"user": "COORDINATOR_B@test.vejud.dk"})
    rows = response.context["page"].rows
    assert [r.action for r in rows] == ["case.open", "person.create"]
    assert all("coordinator_b@test.vejud.dk" in r.actor_label for r in rows)


def test_search_by_action_prefix(world, sensitive):
    client = verified_client(world.auditor)
    exact = client.get(URL, {"action": "person.create"}).context["page"].rows
    assert len(exact) == 2
    prefix = client.get(URL, {"action": "protected_address."}).context["page"].rows
    assert [r.action for r in prefix] == ["protected_address.create"]


def test_search_by_dates_uses_copenhagen_days(world):
    # 23:30 in Copenhagen on 1 March is still 1 March there (22:30 UTC) ...
    with time_machine.travel(datetime(2025, 3, 1, 23, 30, tzinfo=CPH), tick=False):
        inside = make_case(world.coordinator_a, world.unit_a, first_name="Inside")
    # ... and 00:30 on 2 March is 2 March there, though still 1 March in UTC.
    with time_machine.travel(datetime(2025, 3, 2, 0, 30, tzinfo=CPH), tick=False):
        make_case(world.coordinator_a, world.unit_a, first_name="After")
    with time_machine.travel(datetime(2025, 2, 28, 23, 59, tzinfo=CPH), tick=False):
        make_case(world.coordinator_a, world.unit_a, first_name="Before")
    client = verified_client(world.auditor)
    response = client.get(URL, {"date_from": "2025-03-01", "date_to": "2025-03-01"})
    rows = response.context["page"].rows
    assert {r.case_reference for r in rows if r.case_reference} == {inside.reference}
    assert len(rows) == 2
    later = client.get(URL, {"date_from": "2025-03-02"}).context["page"].rows
    assert len(later) == 2


def test_filters_combine(world, sensitive):
    client = verified_client(world.auditor)
    response = client.get(
        URL,
        {
            "subject": str(sensitive.case.person.public_id),
            "user": "coordinator_a@test.vejud.dk",
            "action": "case.",
            "date_from": date.today().isoformat(),
        },
    )
    assert [r.action for r in response.context["page"].rows] == ["case.open"]


def test_unknown_person_or_user_is_a_field_error(world, sensitive):
    client = verified_client(world.auditor)
    response = client.get(
        URL, {"subject": "00000000-0000-0000-0000-000000000000", "user": "ghost@example.org"}
    )
    assert response.status_code == 200
    assert response.context["page"] is None
    body = response.content.decode()
    assert 'id="id_subject-error"' in body
    assert 'aria-describedby="id_subject-hint id_subject-error"' in body
    assert 'aria-invalid="true"' in body
    assert 'id="id_user-error"' in body


def test_end_before_start_is_a_field_error(world):
    client = verified_client(world.auditor)
    response = client.get(URL, {"date_from": "2025-03-02", "date_to": "2025-03-01"})
    assert response.context["page"] is None
    assert response.context["form"].errors["date_to"]


def test_keyset_pages_walk_the_trail_both_ways(world, sensitive, monkeypatch):
    from vejud.auditor import selectors

    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    client = verified_client(world.auditor)
    first = client.get(URL)
    page = first.context["page"]
    assert _seqs(first) == [5, 4]
    assert page.previous_cursor is None
    assert f"after={page.next_cursor}" in first.content.decode()
    second = client.get(URL, {"after": page.next_cursor})
    assert _seqs(second) == [3, 2]
    third = client.get(URL, {"after": second.context["page"].next_cursor})
    assert _seqs(third) == [1]
    assert third.context["page"].next_cursor is None
    back = client.get(URL, {"before": third.context["page"].previous_cursor})
    assert _seqs(back) == [3, 2]
    assert (
        client.get(URL, {"before": back.context["page"].previous_cursor})
        .context["page"]
        .previous_cursor
        is None
    )


def test_query_count_does_not_grow_with_rows(world):
    client = verified_client(world.auditor)
    make_case(world.coordinator_a, world.unit_a)
    client.get(URL)  # warm up: session and scope caches settle
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    for i in range(15):
        make_case(
            world.coordinator_a if i % 2 else world.coordinator_b,
            world.unit_a if i % 2 else world.unit_b,
            first_name=f"Many{i}",
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert len(response.context["page"].rows) == 32
    assert len(many) == len(few)
    assert not any("COUNT(" in q["sql"].upper() for q in many.captured_queries)
