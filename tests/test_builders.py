"""The shared builders (vejud.testing.builders, vejud.testing.quality) make what they say, through the services."""

from __future__ import annotations

import pytest

from vejud.assessments.models import TargetGroupAssessment
from vejud.cases.models import CaseStatus, Track
from vejud.courses.models import MentorMeeting
from vejud.followup.models import EarlyWarning
from vejud.people.models import ProtectedAddress
from vejud.quality.models import ReviewStatus
from vejud.testing import make_case
from vejud.testing.builders import (
    ADDRESS,
    ASSESSED,
    CPR,
    STAGES,
    THREATS,
    make_case_at,
    make_custody_case,
    make_full_course,
    make_release_case,
    make_sensitive_case,
)
from vejud.testing.quality import make_round, send_review
from vejud.transfers.models import ReleasePlan, TransferStatus


@pytest.mark.parametrize("stage", [*STAGES, ASSESSED])
def test_a_case_at_each_stage(world, stage):
    case = make_case_at(world, stage, last_name=f"At{stage.title()}")
    case.refresh_from_db()
    assert case.status == (CaseStatus.ASSESSMENT if stage == ASSESSED else stage)
    assert case.responsible_unit == world.unit_a
    assert case.person.last_name == f"At{stage.title()}"
    signed = TargetGroupAssessment.objects.filter(case=case, signed_at__isnull=False).exists()
    unsigned = (CaseStatus.INQUIRY, CaseStatus.WITHDRAWN, CaseStatus.ASSESSMENT, CaseStatus.DROPPED)
    assert signed == (stage not in unsigned)


def test_a_custody_case_is_in_the_prison(world):
    case = make_custody_case(world)
    assert (case.status, case.track, case.institution) == (
        CaseStatus.ADMITTED,
        Track.CUSTODY,
        world.prison,
    )


def test_a_release_case_has_its_release_plan(world):
    case = make_release_case(world, days=20)
    assert ReleasePlan.objects.filter(case=case).count() == 1
    assert case.release_on is not None


def test_a_sensitive_case_carries_cpr_threats_address_and_journal(world):
    case = make_sensitive_case(world, journal="A note.")
    person = case.person
    assert (person.cpr, person.threat_notes) == (CPR, THREATS)
    assert ProtectedAddress.objects.get(person=person).address == ADDRESS
    assert [e.text for e in case.journal_entries.all()] == ["A note."]


def test_a_full_course_holds_one_of_everything(world):
    course = make_full_course(world)
    ids = course.ids()
    assert ids["case"] == course.case
    assert course.action.goal_id == ids["goal"] == course.goal.pk
    assert course.offer.case_id == course.case.pk
    assert MentorMeeting.objects.get(pk=ids["meeting"]).needs_attention
    assert EarlyWarning.objects.get(pk=ids["warning"]).resolved_at is None
    assert course.transfer.status == TransferStatus.PENDING
    assert course.transfer.to_unit == world.national


def test_a_round_draws_every_recent_case_of_its_units_and_a_review_is_sent(world):
    cases = [make_case(world.member_a, world.unit_a) for _ in range(3)]
    make_case(world.member_b, world.unit_b)  # not of the round's units
    round_ = make_round(world.head, [world.unit_a], title="Builder round")
    assert (round_.title, round_.created_by) == ("Builder round", world.head)
    assert {r.case_id for r in round_.reviews.all()} == {c.pk for c in cases}
    review = send_review(
        world.head, round_.reviews.first(), findings="Kept well.", point=("plan", "Name owners.")
    )
    assert (review.status, review.findings) == (ReviewStatus.RELEASED, "Kept well.")
    assert {e["answer"] for e in review.checklist.values()} == {"yes"}
    assert [(p.theme, p.text) for p in review.learning_points.all()] == [("plan", "Name owners.")]
