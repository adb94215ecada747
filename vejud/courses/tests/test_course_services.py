from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from vejud.cases.models import CaseStatus
from vejud.cases.services import mentor_assign
from vejud.courses.models import CaseClosure
from vejud.courses.services import (
    action_add,
    action_update,
    agreement_save,
    case_close,
    case_reopen,
    goal_add,
    meeting_attention_resolve,
    meeting_log,
    offer_add,
)
from vejud.offers.models import OfferType
from vejud.testing import make_admitted_case, make_case
from vejud.testing.builders import add_action, add_goal
from vejud.worklist.selectors import TaskKind, tasks_for


def test_agreement_needs_an_admitted_case_and_the_parties(world):
    case = make_case(world.coordinator_a, world.unit_a)
    with pytest.raises(ValidationError):
        agreement_save(
            actor=world.member_a,
            case=case,
            parties=["person", "police", "municipality"],
            starts_on=timezone.localdate(),
            expected_months=12,
        )
    case = make_admitted_case(world, first_name="Other")
    with pytest.raises(ValidationError):
        agreement_save(
            actor=world.member_a,
            case=case,
            parties=["police"],
            starts_on=timezone.localdate(),
            expected_months=12,
        )
    assert case.course_started_on == timezone.localdate()


def test_overdue_plan_action_reaches_its_owner(world):
    case = make_admitted_case(world)
    goal = goal_add(
        actor=world.member_a, case=case, life_area="housing", goal="A flat away from the area"
    )
    yesterday = timezone.localdate() - timedelta(days=1)
    action = action_add(
        actor=world.member_a,
        goal=goal,
        description="Apply for housing",
        owner_agency="municipality",
        owner=world.coordinator_a,
        deadline=yesterday,
    )
    tasks = [t for t in tasks_for(world.coordinator_a) if t.kind == TaskKind.ACTION_DUE]
    assert [(t.reference, t.overdue) for t in tasks] == [(case.reference, True)]
    assert not [t for t in tasks_for(world.member_b) if t.kind == TaskKind.ACTION_DUE]
    action_update(actor=world.member_a, action=action, status="done", outcome="Got a flat")
    assert not [t for t in tasks_for(world.coordinator_a) if t.kind == TaskKind.ACTION_DUE]


def test_action_owner_must_see_the_case(world):
    case = make_admitted_case(world)
    goal = goal_add(
        actor=world.member_a, case=case, life_area="work_education", goal="Finish school"
    )
    with pytest.raises(ValidationError):
        add_action(world, goal, "x", owner_agency="police", owner=world.member_b)


def test_mentor_logs_meetings_and_a_flag_reaches_the_coordinator(world):
    case = make_admitted_case(world)
    mentor_assign(actor=world.member_a, case=case, mentor=world.mentor)
    with pytest.raises(PermissionDenied):
        meeting_log(
            actor=world.member_a,
            case=case,
            met_on=timezone.localdate(),
            form="phone",
            duration_minutes=20,
        )
    meeting = meeting_log(
        actor=world.mentor,
        case=case,
        met_on=timezone.localdate(),
        form="in_person",
        duration_minutes=60,
        note="Worried about old friends",
        needs_attention=True,
    )
    assert (TaskKind.MENTOR_ATTENTION, case.reference) in {
        (t.kind, t.reference) for t in tasks_for(world.coordinator_a)
    }
    meeting_attention_resolve(actor=world.coordinator_a, meeting=meeting, note="Called him")
    assert TaskKind.MENTOR_ATTENTION not in {t.kind for t in tasks_for(world.coordinator_a)}


def test_offer_needs_an_active_course(world):
    case = make_case(world.coordinator_a, world.unit_a)
    with pytest.raises(ValidationError):
        offer_add(actor=world.member_a, case=case, offer_type=OfferType.objects.get(code="therapy"))


@pytest.mark.parametrize(
    "reason",
    ["completed", "interrupted", "stopped_crime", "stopped_agreement", "moved_abroad", "deceased"],
)
def test_close_with_every_reason(world, reason):
    case = make_admitted_case(world)
    closure = case_close(actor=world.member_a, case=case, reason=reason, summary="Summary.")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.closed_on is not None
    assert CaseClosure.objects.get(case=case) == closure


def test_close_needs_reason_and_summary_and_the_right_unit(world):
    case = make_admitted_case(world)
    with pytest.raises(ValidationError):
        case_close(actor=world.member_a, case=case, reason="completed", summary=" ")
    with pytest.raises(PermissionDenied):
        case_close(actor=world.member_b, case=case, reason="completed", summary="x")
    case.refresh_from_db()
    assert case.status == CaseStatus.ADMITTED


def test_reopen_creates_a_linked_new_case(world):
    case = make_admitted_case(world)
    with pytest.raises(ValidationError):
        case_reopen(actor=world.member_a, case=case)
    case_close(actor=world.member_a, case=case, reason="interrupted", summary="Stopped coming.")
    case.refresh_from_db()
    new = case_reopen(actor=world.member_a, case=case, note="Wants to try again")
    assert new.person_id == case.person_id
    assert new.previous_case_id == case.pk
    assert new.status == CaseStatus.INQUIRY
    with pytest.raises(ValidationError):
        case_reopen(actor=world.member_a, case=case)


def test_course_dates_must_be_plausible(world):
    """A start date or deadline in year 9999 would overflow the task list's date arithmetic."""
    from datetime import date

    case = make_admitted_case(world)
    far = date(9999, 12, 31)
    with pytest.raises(ValidationError) as raised:
        agreement_save(
            actor=world.member_a,
            case=case,
            parties=["person", "police", "municipality"],
            starts_on=far,
            expected_months=12,
        )
    assert raised.value.code == "date_range"
    goal = add_goal(world, case, "housing", "A flat")
    with pytest.raises(ValidationError):
        action_add(
            actor=world.member_a,
            goal=goal,
            description="Apply",
            owner_agency="municipality",
            deadline=far,
        )
    with pytest.raises(ValidationError):
        offer_add(
            actor=world.member_a,
            case=case,
            offer_type=OfferType.objects.order_by("pk")[0],
            starts_on=date(1899, 1, 1),
        )
    case.refresh_from_db()
    assert case.course_started_on == timezone.localdate()
    assert not goal.actions.exists()
