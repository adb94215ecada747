from __future__ import annotations

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from vejud.cases.models import Case, CaseStatus
from vejud.cases.services import StaleCaseError
from vejud.decisions.models import Decision, DecisionOutcome, Referral
from vejud.decisions.services import (
    final_decision_record,
    information_request_answer,
    information_request_create,
    referral_create,
    unit_decision_record,
)
from vejud.intake.selectors import ConsentMissingError
from vejud.intake.services import consent_withdraw
from vejud.testing import give_consent, make_assessed_case, make_case
from vejud.testing.builders import make_refused_case


def test_admission_rests_on_the_signed_assessments(world):
    case = make_assessed_case(world)
    decision = unit_decision_record(
        actor=world.coordinator_a,
        case=case,
        outcome="admit",
        reasoning="All three assessments support it.",
        expected_version=case.version,
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.ADMITTED
    assert (
        decision.target_group.is_signed
        and decision.motivation.is_signed
        and decision.suitability.is_signed
    )


def test_only_the_coordinator_decides(world):
    case = make_assessed_case(world)
    for user in (world.member_a, world.coordinator_b, world.adviser, world.mentor):
        with pytest.raises(PermissionDenied):
            unit_decision_record(actor=user, case=case, outcome="admit", reasoning="x")
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT


def test_refusal_needs_a_ground_and_the_signed_instrument_for_it(world):
    case = make_case(world.coordinator_a, world.unit_a)
    from vejud.cases.services import case_transition

    case = case_transition(actor=world.member_a, case=case, target="assessment")
    with pytest.raises(ValidationError):
        unit_decision_record(actor=world.coordinator_a, case=case, outcome="refuse", reasoning="x")
    with pytest.raises(ValidationError, match="motivation"):
        unit_decision_record(
            actor=world.coordinator_a,
            case=case,
            outcome="refuse",
            grounds=["not_motivated"],
            reasoning="x",
        )
    assert not Decision.objects.filter(case=case).exists()


def test_refusal_referral_and_overturn(world):
    case = make_refused_case(world)
    referral = referral_create(actor=world.member_a, case=case, note="The person asks for it.")
    assert referral.due_on > referral.referred_at.date()
    case.refresh_from_db()
    assert case.status == CaseStatus.REFERRED
    question = information_request_create(
        actor=world.decision_maker, case=case, question="How is the family situation?"
    )
    with pytest.raises(PermissionDenied):
        information_request_answer(actor=world.member_b, request=question, answer="x")
    information_request_answer(
        actor=world.member_a, request=question, answer="Stable; partner supports him."
    )
    with pytest.raises(PermissionDenied):
        final_decision_record(actor=world.adviser, case=case, outcome="overturn", reasoning="x")
    decision = final_decision_record(
        actor=world.decision_maker, case=case, outcome="overturn", reasoning="Motivation is real."
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.ADMITTED
    assert decision.outcome == DecisionOutcome.OVERTURN
    assert Referral.objects.get(pk=referral.pk).final_decision == decision


def test_upheld_refusal_closes_the_case(world):
    case = make_refused_case(world)
    referral_create(actor=world.member_a, case=case)
    case.refresh_from_db()
    decision = final_decision_record(
        actor=world.decision_maker, case=case, outcome="uphold", reasoning="Agree with the unit."
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.REFUSAL_UPHELD
    assert case.closed_on is not None
    assert decision.grounds == ["not_motivated", "not_suitable"]


def test_referral_is_refused_without_consent_covering_the_national_point(world):
    case = make_refused_case(world)
    consent = case.consents.get()
    consent_withdraw(
        actor=world.member_a, consent=consent, withdrawn_on=consent.given_on, note="Withdrawn"
    )
    with pytest.raises(ConsentMissingError, match="consent"):
        referral_create(actor=world.member_a, case=case)
    give_consent(world.member_a, case, agencies=["police", "municipality"])
    with pytest.raises(ConsentMissingError, match="National"):
        referral_create(actor=world.member_a, case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.REFUSED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_decisions_exactly_one_wins():
    if connection.vendor != "postgresql":
        pytest.skip("row locking is tested on PostgreSQL")
    from vejud.testing import make_world

    world = make_world()
    case = make_assessed_case(world)
    version = case.version
    barrier = threading.Barrier(2)
    results: list[str] = []

    def decide(outcome: str) -> None:
        from django.db import connections

        try:
            barrier.wait()
            kwargs = {"grounds": ["not_motivated"]} if outcome == "refuse" else {}
            unit_decision_record(
                actor=world.coordinator_a,
                case=Case.objects.get(pk=case.pk),
                outcome=outcome,
                reasoning="Concurrent decision.",
                expected_version=version,
                **kwargs,
            )
            results.append("ok")
        except StaleCaseError:
            results.append("stale")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(o,)) for o in ("admit", "refuse")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "stale"]
    assert Decision.objects.filter(case=case).count() == 1
    assert Case.objects.get(pk=case.pk).version == version + 1


def test_the_panel_offers_an_answer_while_a_question_waits_and_looks_only_on_a_referral(world):
    from django.test.utils import CaptureQueriesContext

    from vejud.actions.declare import possible_now
    from vejud.core.request_cache import request_scope
    from vejud.testing import make_admitted_case

    def offered(case):
        with request_scope(), CaptureQueriesContext(connection) as queries:
            answer = possible_now(["answer_information"], world.member_a, case)
        return answer["answer_information"], [q["sql"] for q in queries.captured_queries]

    case = make_refused_case(world)
    referral_create(actor=world.member_a, case=case, note="The person asks for it.")
    case.refresh_from_db()
    assert offered(case)[0] is False
    question = information_request_create(
        actor=world.decision_maker, case=case, question="How is the family situation?"
    )
    assert offered(case)[0] is True
    information_request_answer(actor=world.member_a, request=question, answer="Stable.")
    assert offered(case)[0] is False
    answer, sql = offered(make_admitted_case(world))  # admitted by the unit, never referred
    assert answer is False
    assert not any("decisions_informationrequest" in q for q in sql)  # no referral: no question
