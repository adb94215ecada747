"""The advice pages: each side sees its own, advisers see only the attached parts during the
period, internal notes never reach the unit, every adviser view is logged as advice."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from vejud.advice.models import AdviceRequest, AdviceStatus
from vejud.advice.services import (
    advice_answer,
    advice_close,
    advice_note_add,
)
from vejud.audit.models import AccessLog
from vejud.testing import verified_client
from vejud.testing.advice import ask_about_case, ask_general
from vejud.testing.builders import make_assessment_case

pytestmark = pytest.mark.django_db
NOTE = "Internal: his brother is in our other case."


def _url(name: str, advice: AdviceRequest | None = None) -> str:
    return reverse(f"advice:{name}", kwargs={"advice_id": advice.pk} if advice else {})


@pytest.fixture
def asked(world):
    case = make_assessment_case(world)
    advice = ask_about_case(world, case)
    advice_note_add(actor=world.adviser, request=advice, text=NOTE)
    return world, case, advice


def test_the_adviser_sees_exactly_the_attached_parts_then_404_after_close(asked):
    world, _case, advice = asked
    client = verified_client(world.adviser)
    page = client.get(_url("case_parts", advice)).content.decode()
    assert "Attached note: meets his mentor weekly." in page
    assert "Unattached note" not in page
    assert "Instruments" in page and "<h2>Plan</h2>" not in page and "Follow-up" not in page
    advice_close(actor=world.member_a, request=advice)
    assert client.get(_url("case_parts", advice)).status_code == 404


def test_the_attached_parts_answer_404_after_the_period(asked):
    world, _case, advice = asked
    with time_machine.travel(advice.access_until - timedelta(minutes=1)):
        assert verified_client(world.adviser).get(_url("case_parts", advice)).status_code == 200
    with time_machine.travel(advice.access_until + timedelta(minutes=1)):
        client = verified_client(world.adviser)
        assert client.get(_url("case_parts", advice)).status_code == 404
        assert client.get(_url("detail", advice)).status_code == 200  # the thread stays


def test_the_unit_ends_the_access_early_on_the_page(asked):
    world, _case, advice = asked
    response = verified_client(world.member_a).post(_url("access", advice), {"days": "0"})
    assert response.status_code == 302
    advice.refresh_from_db()
    assert advice.access_until <= timezone.now()
    assert verified_client(world.adviser).get(_url("case_parts", advice)).status_code == 404
    # The adviser cannot change the unit's access.
    assert (
        verified_client(world.adviser).post(_url("access", advice), {"days": "30"}).status_code
        == 403
    )


def test_unit_a_s_request_is_invisible_to_unit_b(asked):
    world, _case, advice = asked
    for who in ("member_b", "coordinator_b", "custody"):
        client = verified_client(getattr(world, who))
        assert client.get(_url("detail", advice)).status_code == 404
        assert client.post(_url("message", advice), {"message-text": "Hello?"}).status_code == 404
        assert f"Request {advice.pk}" not in client.get(_url("mine")).content.decode()
    for who in ("analyst", "mentor", "sysadmin", "auditor"):
        assert verified_client(getattr(world, who)).get(_url("detail", advice)).status_code == 403


def test_internal_notes_never_reach_the_unit(asked):
    world, _case, advice = asked
    advice_answer(actor=world.adviser, request=advice, text="Sufficient.")
    for who in ("member_a", "coordinator_a"):
        page = verified_client(getattr(world, who)).get(_url("detail", advice)).content.decode()
        assert "Sufficient." in page and NOTE not in page and "Internal notes" not in page
    assert NOTE in verified_client(world.adviser).get(_url("detail", advice)).content.decode()
    case_page = verified_client(world.member_a).get(
        reverse("cases:detail", args=[advice.case.reference])
    )
    assert "Sufficient." in case_page.content.decode() and NOTE not in case_page.content.decode()
    assert (
        verified_client(world.member_a).post(_url("note", advice), {"note-text": "x"}).status_code
        == 403
    )


def test_every_adviser_view_writes_an_access_log_row_marked_advice(asked):
    world, case, advice = asked
    client = verified_client(world.adviser)
    client.get(_url("detail", advice))
    client.get(_url("case_parts", advice))
    rows = list(AccessLog.objects.filter(user=world.adviser, case_id=case.pk).order_by("id"))
    assert [(r.part, r.advice) for r in rows] == [
        ("advice:request", True),
        ("advice:attached_parts", True),
    ]
    verified_client(world.member_a).get(_url("detail", advice))
    assert not AccessLog.objects.filter(user=world.member_a, advice=True).exists()


def test_a_general_question_with_a_cpr_number_is_refused_on_the_form(world):
    client = verified_client(world.member_a)
    data = {
        "unit": world.unit_a.pk,
        "topic": "other",
        "urgency": "normal",
        "question": "Can we help 0101901234 find a flat?",
    }
    response = client.post(_url("new"), data)
    assert response.status_code == 200
    assert "remove the CPR number" in response.content.decode()
    assert not AdviceRequest.objects.exists()
    data["question"] = "Can the pool pay a deposit?"
    assert client.post(_url("new"), data).status_code == 302
    assert AdviceRequest.objects.get().case is None


def test_asking_about_a_case_attaches_the_chosen_parts(world):
    case = make_assessment_case(world)
    client = verified_client(world.member_a)
    url = f"{_url('new')}?case={case.reference}"
    assert "Attach the plan" in client.get(url).content.decode()
    data = {
        "unit": world.unit_a.pk,
        "topic": "suitability",
        "urgency": "urgent",
        "urgency_reason": "Release on Friday.",
        "question": "Suitable?",
        "attach_plan": "on",
        "access_days": "7",
    }
    assert client.post(url, data).status_code == 302
    advice = AdviceRequest.objects.get()
    assert advice.case == case and advice.attach_plan and not advice.attach_instruments
    assert (
        verified_client(world.member_b).get(f"{_url('new')}?case={case.reference}").status_code
        == 404
    )


def test_the_lists_hold_what_each_side_sees_in_a_fixed_number_of_queries(world):
    own = ask_general(world)
    other = ask_general(world, actor=world.member_b, unit=world.unit_b)
    colleague = ask_general(world, actor=world.coordinator_a)
    mine = verified_client(world.member_a).get(_url("mine")).content.decode()
    assert f"Request {own.pk}<" in mine and f"Request {colleague.pk}<" not in mine
    coordinated = verified_client(world.coordinator_a).get(_url("mine")).content.decode()
    assert f"Request {colleague.pk}<" in coordinated and f"Request {other.pk}<" not in coordinated
    client = verified_client(world.adviser)
    queue = client.get(_url("queue")).content.decode()
    assert all(f"Request {r.pk}<" in queue for r in (own, other, colleague))
    with CaptureQueriesContext(connection) as few:
        client.get(_url("queue"))
    for n in range(5):
        ask_general(world, question=f"More {n}")
    with CaptureQueriesContext(connection) as many:
        client.get(_url("queue"))
    assert len(many) == len(few)
    assert verified_client(world.member_a).get(_url("queue")).status_code == 403
    assert verified_client(world.adviser).get(_url("mine")).status_code == 403


def test_a_request_walks_from_the_unit_to_the_answer_and_back_on_the_pages(world):
    client = verified_client(world.member_a)
    data = {"unit": world.unit_a.pk, "topic": "pool", "urgency": "normal", "question": "Deposit?"}
    client.post(_url("new"), data)
    advice = AdviceRequest.objects.get()
    adviser = verified_client(world.adviser)
    adviser.post(_url("assign", advice), {"adviser": world.adviser.pk})
    adviser.post(_url("message", advice), {"message-text": "Which municipality?"})
    client.post(_url("message", advice), {"message-text": "Aarhus."})
    adviser.post(_url("answer", advice), {"answer-text": "Yes."})
    advice.refresh_from_db()
    assert advice.status == AdviceStatus.ANSWERED and advice.assigned_to == world.adviser
    client.post(_url("close", advice), {"confirm": "True"})
    advice.refresh_from_db()
    assert advice.status == AdviceStatus.CLOSED


def test_internal_notes_are_not_in_the_subject_access_export(asked):
    from vejud.privacy.collect import subject_access_report

    _world, case, advice = asked
    report = subject_access_report(case.person, {})
    texts = [
        str(value)
        for section in report.sections
        for row in section.rows
        for _n, _l, value in row.fields
    ]
    assert advice.question in texts and NOTE not in texts


def test_the_case_page_files_the_answer_with_its_question_author_and_recommendation(asked):
    """What the case page's advice panel shows of an answer, read in one query without the
    requesting unit or the author's user row (no password hash on a case page)."""
    world, case, advice = asked
    advice_answer(
        actor=world.adviser,
        request=advice,
        text="Admit him; the motivation is real.",
        motivation="sufficient",
        reasons="Three meetings kept.",
    )
    with CaptureQueriesContext(connection) as queries:
        page = verified_client(world.member_a).get(case.get_absolute_url()).content.decode()
    panel = page.split('id="advice"', 1)[1].split("</section>", 1)[0]
    for shown in (
        str(advice.get_topic_display()),
        advice.question[:50],
        world.adviser.full_name,
        "Admit him; the motivation is real.",
        "Three meetings kept.",
        "Sufficient",
    ):
        assert shown in panel
    assert NOTE not in page
    reads = [q["sql"] for q in queries if 'FROM "advice_advicemessage"' in q["sql"]]
    assert len(reads) == 1
    assert '"accounts_user"."password"' not in reads[0]
    assert '"organisations_unit"' not in reads[0]
