"""Advice services and rules: who asks and sees, the state table, the access period, CPR."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from vejud.access.advice import SharedPart, advice_access, requests_visible_to
from vejud.advice.models import AdviceStatus
from vejud.advice.services import (
    advice_access_set,
    advice_answer,
    advice_assign,
    advice_close,
    advice_message_add,
    advice_note_add,
    advice_request_create,
)
from vejud.audit.models import AuditEvent
from vejud.core.errors import ConflictError
from vejud.testing.advice import ask_about_case, ask_general
from vejud.testing.builders import make_assessment_case

pytestmark = pytest.mark.django_db


def test_a_general_question_with_a_cpr_number_is_refused_with_a_clear_message(world):
    with pytest.raises(ValidationError) as refused:
        ask_general(world, question="What about 010190-1234 and his brother?")
    assert "must not carry personal data: remove the CPR number" in str(refused.value)
    assert not requests_visible_to(world.adviser).exists()
    # A date and a phone number are not CPR numbers.
    assert ask_general(world, question="Meeting 01.01.2027, call 4515 3630.").pk


def test_members_see_their_own_coordinators_their_units_other_units_nothing(world):
    own = ask_general(world)
    colleagues = ask_general(world, actor=world.coordinator_a)
    other = ask_general(world, actor=world.member_b, unit=world.unit_b)
    assert set(requests_visible_to(world.member_a)) == {own}
    assert set(requests_visible_to(world.coordinator_a)) == {own, colleagues}
    assert set(requests_visible_to(world.coordinator_b)) == {other}
    assert set(requests_visible_to(world.adviser)) == {own, colleagues, other}
    for nobody in (world.analyst, world.mentor, world.auditor, world.sysadmin):
        assert not requests_visible_to(nobody).exists()


def test_a_unit_asks_only_for_itself_and_about_its_own_cases(world):
    case = make_assessment_case(world)
    with pytest.raises(PermissionDenied):
        ask_general(world, unit=world.unit_b)
    with pytest.raises(PermissionDenied):
        ask_about_case(world, case, actor=world.member_b, unit=world.unit_b)
    with pytest.raises(PermissionDenied):
        ask_general(world, actor=world.adviser, unit=world.national)


def test_the_adviser_sees_exactly_the_attached_parts_until_the_period_ends(world):
    case = make_assessment_case(world)
    request = ask_about_case(world, case)
    access = advice_access(world.adviser, request)
    assert access is not None and access.parts == {SharedPart.INSTRUMENTS, SharedPart.JOURNAL}
    assert advice_access(world.member_a, request) is None
    request.access_until = timezone.now() - timedelta(seconds=1)
    assert advice_access(world.adviser, request) is None


def test_the_unit_ends_access_early_shortens_and_consents_to_an_extension(world):
    case = make_assessment_case(world)
    request = ask_about_case(world, case, access_days=10)
    now = timezone.now()
    advice_access_set(actor=world.member_a, request=request, until=now + timedelta(days=3), now=now)
    assert request.access_until == now + timedelta(days=3)
    advice_access_set(
        actor=world.member_a, request=request, until=now + timedelta(days=30), now=now
    )
    with pytest.raises(ValidationError):
        advice_access_set(
            actor=world.member_a, request=request, until=now + timedelta(days=31), now=now
        )
    with pytest.raises(PermissionDenied):
        advice_access_set(actor=world.adviser, request=request, until=now + timedelta(days=5))
    advice_access_set(actor=world.member_a, request=request, until=None)
    assert advice_access(world.adviser, request) is None


def test_the_state_table_walks_from_question_to_close(world):
    request = ask_general(world)
    advice_note_add(actor=world.adviser, request=request, text="I take this one.")
    assert request.status == AdviceStatus.NEW and request.first_response_at is None
    advice_assign(actor=world.head, request=request, adviser=world.adviser)
    assert request.status == AdviceStatus.ASSIGNED
    advice_message_add(actor=world.adviser, request=request, text="Which municipality?")
    assert request.status == AdviceStatus.WAITING and request.first_response_at is not None
    advice_message_add(actor=world.member_a, request=request, text="Aarhus.")
    assert request.status == AdviceStatus.ASSIGNED
    advice_answer(actor=world.adviser, request=request, text="Yes, category housing.")
    assert request.status == AdviceStatus.ANSWERED and request.answered_at is not None
    advice_message_add(actor=world.member_a, request=request, text="And the rent?")
    assert request.status == AdviceStatus.ASSIGNED
    advice_close(actor=world.member_a, request=request)
    assert request.status == AdviceStatus.CLOSED
    with pytest.raises(ConflictError):
        advice_message_add(actor=world.member_a, request=request, text="One more thing.")
    actions = list(
        AuditEvent.objects.filter(object_type__startswith="advice.").values_list(
            "action", flat=True
        )
    )
    assert actions.count("advice.message") == 3 and "advice.closed" in actions


def test_a_recommendation_needs_its_reasons_and_only_advisers_answer(world):
    request = ask_about_case(world, make_assessment_case(world))
    with pytest.raises(ValidationError):
        advice_answer(
            actor=world.adviser, request=request, text="Go ahead.", motivation="sufficient"
        )
    with pytest.raises(PermissionDenied):
        advice_answer(actor=world.member_a, request=request, text="We answer ourselves.")
    with pytest.raises(PermissionDenied):
        advice_note_add(actor=world.coordinator_a, request=request, text="Not ours.")
    with pytest.raises(ValidationError):
        advice_assign(actor=world.head, request=request, adviser=world.member_a)
    answer = advice_answer(
        actor=world.adviser,
        request=request,
        text="Go ahead.",
        motivation="sufficient",
        suitability="unclear",
        reasons="Pull factors dominate; suitability needs the housing plan.",
    )
    assert answer.is_answer and request.status == AdviceStatus.ANSWERED


def test_an_urgent_request_needs_its_reason(world):
    with pytest.raises(ValidationError):
        ask_general(world, urgency="urgent")
    assert (
        ask_general(world, urgency="urgent", urgency_reason="Threat tonight.").urgency == "urgent"
    )


def test_attachments_belong_to_the_request_s_case(world):
    case = make_assessment_case(world)
    other = make_assessment_case(world, first_name="Other")
    from vejud.cases.services import journal_add

    foreign = journal_add(actor=world.member_a, case=other, text="Another case's note.")
    with pytest.raises(ValidationError):
        advice_request_create(
            actor=world.member_a,
            unit=world.unit_a,
            topic="other",
            question="Q?",
            case=case,
            journal_entries=[foreign],
        )
