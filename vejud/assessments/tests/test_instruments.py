from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from vejud.assessments.models import (
    CriteriaVersion,
    MotivationAssessment,
    Programme,
    TargetGroupAssessment,
)
from vejud.assessments.services import (
    criteria_in_force,
    instrument_correct,
    instrument_sign,
    motivation_save,
    programme_for_case,
    target_group_save,
)
from vejud.audit.services import audited
from vejud.cases.services import case_transition
from vejud.testing import make_case, sign_all_instruments


@pytest.fixture
def assessing(world):
    case = make_case(world.coordinator_a, world.unit_a, attachment="member")
    return case_transition(actor=world.member_a, case=case, target="assessment")


def _motivation(world, case, **overrides):
    fields = {
        "push_factors": ["fear_for_life"],
        "pull_factors": [],
        "own_explanation": "Afraid after the shooting.",
        "motivation_kind": "outer",
        "level": 2,
        "reasoning": "Fear is the driver.",
    }
    fields.update(overrides)
    return motivation_save(actor=world.member_a, case=case, **fields)


def test_fear_only_motivation_is_flagged(world, assessing):
    draft = _motivation(world, assessing)
    assert draft.fear_only is True
    draft = _motivation(world, assessing, pull_factors=["fatherhood"])
    assert draft.fear_only is False
    draft = _motivation(world, assessing, push_factors=[], fear_borne=True)
    assert draft.fear_only is True


def test_push_and_pull_factors_come_from_their_lists(world, assessing):
    with pytest.raises(ValidationError):
        _motivation(world, assessing, push_factors=["fatherhood"])
    with pytest.raises(ValidationError):
        _motivation(world, assessing, help_wishes=["space_travel"])


def test_parole_only_motive_is_for_custody_cases(world, assessing):
    with pytest.raises(ValidationError):
        _motivation(world, assessing, parole_only_motive=True)


def test_signed_instrument_is_immutable_in_service_and_database(world, assessing):
    signed = sign_all_instruments(world.member_a, assessing)["motivation"]
    with pytest.raises(ValidationError):
        _motivation(world, assessing, level=5)
    with pytest.raises(IntegrityError), transaction.atomic(), audited():
        MotivationAssessment.objects.filter(pk=signed.pk).update(level=5)
    with pytest.raises(IntegrityError), transaction.atomic(), audited():
        MotivationAssessment.objects.filter(pk=signed.pk).delete()
    signed.refresh_from_db()
    assert signed.level == 4


def test_correction_is_a_new_version_pointing_at_the_old(world, assessing):
    signed = sign_all_instruments(world.member_a, assessing)["motivation"]
    with pytest.raises(ValidationError):
        instrument_correct(actor=world.member_a, instrument=signed, reason=" ")
    correction = instrument_correct(
        actor=world.member_a, instrument=signed, reason="Level was misjudged."
    )
    assert (correction.version, correction.supersedes_id, correction.signed_at) == (
        2,
        signed.pk,
        None,
    )
    correction = _motivation(world, assessing, pull_factors=["fatherhood"], level=3)
    instrument_sign(actor=world.member_a, instrument=correction)
    versions = list(MotivationAssessment.objects.filter(case=assessing).order_by("version"))
    assert [v.level for v in versions] == [4, 3]
    with pytest.raises(ValidationError):
        instrument_correct(actor=world.member_a, instrument=signed, reason="again")


def test_signing_requires_a_complete_form(world, assessing):
    draft = motivation_save(
        actor=world.member_a, case=assessing, push_factors=["disillusion"], pull_factors=[]
    )
    with pytest.raises(ValidationError, match="explanation"):
        instrument_sign(actor=world.member_a, instrument=draft)


def test_assessment_keeps_its_criteria_version_after_the_criteria_change(world, assessing):
    programme = programme_for_case(assessing)
    assert programme is not None and programme.code == "national"
    old = criteria_in_force(programme, on=assessing.opened_on)
    assert old is not None
    signed = sign_all_instruments(world.member_a, assessing)["target_group"]
    today = timezone.localdate()
    old.valid_to = today - timedelta(days=1)
    old.valid_from = min(old.valid_from, old.valid_to)
    old.save()
    new = CriteriaVersion.objects.create(
        programme=programme,
        label="2030",
        valid_from=today,
        min_age=21,
        attachments=["core"],
        environments=["biker"],
        questions=[],
    )
    assert criteria_in_force(programme) == new
    signed.refresh_from_db()
    assert signed.criteria_version_id == old.pk
    assert "wants_out" in signed.answers
    assert TargetGroupAssessment.objects.get(pk=signed.pk).within_target_group is True


def test_target_group_evaluates_age_and_records_answers(world):
    case = make_case(world.coordinator_a, world.unit_a, birth_date=date(2012, 1, 1))
    case = case_transition(actor=world.member_a, case=case, target="assessment")
    programme = Programme.objects.get(code="national")
    version = criteria_in_force(programme, on=case.opened_on)
    draft = target_group_save(
        actor=world.member_a,
        case=case,
        criteria_version=version,
        answers={"wants_out": {"met": True, "note": ""}},
    )
    assert draft.answers["age"]["met"] is False
    assert draft.within_target_group is False


def test_other_unit_cannot_assess(world, assessing):
    with pytest.raises(PermissionDenied):
        motivation_save(actor=world.member_b, case=assessing, push_factors=[], pull_factors=[])
    with pytest.raises(PermissionDenied):
        motivation_save(actor=world.mentor, case=assessing, push_factors=[], pull_factors=[])


def test_a_target_group_draft_saves_with_criteria_still_unanswered(world, assessing):
    """A draft with an unanswered criterion was refused ("cannot be blank": the undecided
    conclusion is None), so a caseworker could not save half a form; signing still needs
    every criterion."""
    version = criteria_in_force(programme_for_case(assessing), on=assessing.opened_on)
    draft = target_group_save(
        actor=world.member_a,
        case=assessing,
        criteria_version=version,
        answers={"wants_out": {"met": None, "note": "Ask him again next week."}},
    )
    assert draft.pk is not None
    assert draft.answers["wants_out"] == {
        "met": None,
        "note": "Ask him again next week.",
        "auto": False,
    }
    assert draft.within_target_group is None
    assert any(answer["met"] is None for answer in draft.answers.values())
    with pytest.raises(ValidationError):
        instrument_sign(actor=world.member_a, instrument=draft)
