"""The auditor's break-the-glass review queue (audit:break_glass_queue)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse_lazy

from vejud.audit.models import AuditEvent
from vejud.audit.tests.conftest import ADDRESS, CPR, NAME_FIRST, NAME_LAST, THREATS
from vejud.cases.models import BreakGlassGrant
from vejud.cases.services import break_glass_open
from vejud.testing import CAST, make_case, verified_client

URL = reverse_lazy("audit:break_glass_queue")
NOT_AUDITORS = sorted(set(CAST) - {"auditor"} | {"nobody"})
REASON = "Urgent: the person called our unit tonight"


@pytest.fixture
def grant(world, sensitive) -> BreakGlassGrant:
    return break_glass_open(actor=world.member_b, reference=sensitive.case.reference, reason=REASON)


def test_queue_lists_unreviewed_access_without_case_content(world, sensitive, grant):
    response = verified_client(world.auditor).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert sensitive.case.reference in body
    assert "member_b@test.vejud.dk" in body
    assert REASON in body
    assert f'name="grant" value="{grant.pk}"' in body
    for secret in (NAME_FIRST, NAME_LAST, CPR, THREATS, ADDRESS):
        assert secret not in body


@pytest.mark.parametrize("name", NOT_AUDITORS)
def test_every_other_role_is_refused(world, grant, name):
    client = verified_client(getattr(world, name))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"grant": grant.pk, "note": "Looks fine"}).status_code == 403
    grant.refresh_from_db()
    assert grant.reviewed_at is None


def test_wrong_method_is_refused(world):
    assert verified_client(world.auditor).put(URL).status_code == 405


def test_review_flow(world, sensitive, grant):
    client = verified_client(world.auditor)
    response = client.post(URL, {"grant": grant.pk, "note": "Confirmed with unit B's head."})
    assert response.status_code == 302
    assert response["Location"] == str(URL)
    grant.refresh_from_db()
    assert grant.reviewed_by == world.auditor
    assert grant.reviewed_at is not None
    assert grant.review_note == "Confirmed with unit B's head."
    assert AuditEvent.objects.filter(
        action="case.break_glass_review", object_id=str(grant.pk), actor=world.auditor
    ).exists()

    queue = client.get(URL)
    assert queue.context["rows"] == []
    assert "The access has been marked as reviewed." in queue.content.decode()
    reviewed = client.get(URL, {"tab": "reviewed"})
    assert [g.pk for g, _form in reviewed.context["rows"]] == [grant.pk]
    body = reviewed.content.decode()
    assert "Confirmed with unit B&#x27;s head." in body
    assert "auditor@test.vejud.dk" in body


def test_queue_is_oldest_first_and_reviewed_newest_first(world, sensitive):
    third = make_case(world.coordinator_a, world.unit_a, first_name="Third")
    first = break_glass_open(
        actor=world.member_b, reference=sensitive.case.reference, reason=REASON
    )
    second = break_glass_open(actor=world.member_b, reference=third.reference, reason=REASON)
    client = verified_client(world.auditor)
    assert [g.pk for g, _f in client.get(URL).context["rows"]] == [first.pk, second.pk]
    for grant in (first, second):
        client.post(URL, {"grant": grant.pk, "note": "Fine."})
    reviewed = client.get(URL, {"tab": "reviewed"}).context["rows"]
    assert [g.pk for g, _f in reviewed] == [second.pk, first.pk]


def test_a_note_is_required(world, grant):
    response = verified_client(world.auditor).post(URL, {"grant": grant.pk, "note": "  "})
    assert response.status_code == 200
    body = response.content.decode()
    note_id = f"grant-{grant.pk}-note"
    assert f'id="{note_id}-error"' in body
    assert f'aria-describedby="{note_id}-hint {note_id}-error"' in body
    assert f'href="#{note_id}"' in body
    grant.refresh_from_db()
    assert grant.reviewed_at is None


def test_an_auditor_cannot_review_their_own_access(world, sensitive):
    own = break_glass_open(actor=world.auditor, reference=sensitive.case.reference, reason=REASON)
    client = verified_client(world.auditor)
    body = client.get(URL).content.decode()
    assert "Your own access" in body
    assert f'name="grant" value="{own.pk}"' not in body
    assert client.post(URL, {"grant": own.pk, "note": "Mine is fine."}).status_code == 403
    own.refresh_from_db()
    assert own.reviewed_at is None


def test_missing_or_reviewed_grant_is_404(world, grant):
    client = verified_client(world.auditor)
    assert client.post(URL, {"grant": grant.pk + 1000, "note": "x"}).status_code == 404
    assert client.post(URL, {"grant": "abc", "note": "x"}).status_code == 404
    client.post(URL, {"grant": grant.pk, "note": "Fine."})
    assert client.post(URL, {"grant": grant.pk, "note": "Again."}).status_code == 404
    grant.refresh_from_db()
    assert grant.review_note == "Fine."


def test_query_count_does_not_grow_with_rows(world, sensitive):
    client = verified_client(world.auditor)
    break_glass_open(actor=world.member_b, reference=sensitive.case.reference, reason=REASON)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for i in range(6):
        case = make_case(world.coordinator_a, world.unit_a, first_name=f"Q{i}")
        break_glass_open(
            actor=world.member_b if i % 2 else world.coordinator_b,
            reference=case.reference,
            reason=REASON,
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert len(response.context["rows"]) == 7
    assert len(many) == len(few)
