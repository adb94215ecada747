from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from vejud.cases.models import CaseStatus, CaseTransition
from vejud.cases.services import StaleCaseError, case_transition
from vejud.cases.states import TABLE, TERMINAL, IllegalTransitionError, check_transition
from vejud.testing import make_case

ALLOWED = {(t.source, t.target) for t in TABLE}


@pytest.mark.parametrize(
    ("source", "target"),
    [pair for pair in itertools.product(CaseStatus, CaseStatus) if pair not in ALLOWED],
)
def test_every_pair_outside_the_table_is_illegal(source, target):
    with pytest.raises(IllegalTransitionError):
        check_transition(source, target)


def test_terminal_states_have_no_way_out():
    assert {
        CaseStatus.REFUSAL_UPHELD,
        CaseStatus.WITHDRAWN,
        CaseStatus.DROPPED,
        CaseStatus.CLOSED,
    } == TERMINAL


@pytest.mark.parametrize(
    "target", [s for s in CaseStatus if (CaseStatus.INQUIRY, s) not in ALLOWED]
)
def test_illegal_transition_from_inquiry_fails_loudly_and_changes_nothing(world, target):
    case = make_case(world.coordinator_a, world.unit_a)
    with pytest.raises((IllegalTransitionError, ValidationError)):
        case_transition(actor=world.coordinator_a, case=case, target=target, reason="x")
    case.refresh_from_db()
    assert case.status == CaseStatus.INQUIRY
    assert not CaseTransition.objects.filter(case=case).exists()


def test_transition_records_who_when_why_and_bumps_version(world):
    case = make_case(world.coordinator_a, world.unit_a)
    case = case_transition(actor=world.member_a, case=case, target="assessment", expected_version=1)
    assert case.status == CaseStatus.ASSESSMENT
    assert case.version == 2
    record = CaseTransition.objects.get(case=case)
    assert (record.from_status, record.to_status, record.actor) == (
        "inquiry",
        "assessment",
        world.member_a,
    )


def test_reason_required_for_withdrawal(world):
    case = make_case(world.coordinator_a, world.unit_a)
    with pytest.raises(ValidationError):
        case_transition(actor=world.member_a, case=case, target="withdrawn", reason=" ")
    case = case_transition(
        actor=world.member_a, case=case, target="withdrawn", reason="Changed his mind"
    )
    assert case.closed_on is not None


def test_stale_version_is_refused(world):
    case = make_case(world.coordinator_a, world.unit_a)
    case_transition(actor=world.member_a, case=case, target="assessment", expected_version=1)
    with pytest.raises(StaleCaseError):
        case_transition(
            actor=world.member_a, case=case, target="dropped", reason="x", expected_version=1
        )


def test_other_unit_and_mentor_cannot_transition(world):
    case = make_case(world.coordinator_a, world.unit_a)
    for user in (world.member_b, world.analyst, world.mentor):
        with pytest.raises(PermissionDenied):
            case_transition(actor=user, case=case, target="assessment")


def test_decision_transitions_cannot_be_made_directly(world):
    case = make_case(world.coordinator_a, world.unit_a)
    case_transition(actor=world.member_a, case=case, target="assessment")
    with pytest.raises(ValidationError):
        case_transition(actor=world.coordinator_a, case=case, target="admitted", reason="x")
