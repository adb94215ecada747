from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from vejud.access.cases import cases_visible_to
from vejud.cases.models import CaseStatus, Track
from vejud.cases.services import case_transition
from vejud.intake.models import Inquiry
from vejud.intake.selectors import consent_covers, consent_in_force
from vejud.intake.services import (
    PossibleDuplicateError,
    consent_record,
    consent_withdraw,
    inquiry_register,
)
from vejud.organisations.models import Municipality


@pytest.fixture
def municipality_a(world):
    return Municipality.objects.create(
        name="Testby A", police_district=world.unit_a.police_district
    )


@pytest.fixture
def municipality_b(world):
    return Municipality.objects.create(
        name="Testby B", police_district=world.unit_b.police_district
    )


def _register(world, actor, **kwargs):
    defaults = {
        "source": "person",
        "channel": "phone",
        "received_on": timezone.localdate(),
        "first_name": "Kasper",
        "last_name": "Holm",
        "birth_date": date(1994, 3, 2),
    }
    defaults.update(kwargs)
    return inquiry_register(actor=actor, **defaults)


def test_inquiry_is_routed_to_the_district_unit(world, municipality_b):
    case = _register(world, world.member_a, municipality=municipality_b)
    assert case.responsible_unit == world.unit_b
    assert case.status == CaseStatus.INQUIRY
    assert case.assessment_due_on == case.opened_on + timedelta(days=30)
    assert Inquiry.objects.get(case=case).source == "person"
    # The registering user in unit A does not see the routed case; unit B does.
    assert not cases_visible_to(world.member_a).filter(pk=case.pk).exists()
    assert cases_visible_to(world.member_b).filter(pk=case.pk).exists()


def test_custody_inquiry_goes_to_dfk_and_the_institution(world):
    case = _register(world, world.custody, in_custody=True, institution=world.prison)
    assert (case.track, case.institution, case.responsible_unit) == (
        Track.CUSTODY,
        world.prison,
        world.dfk,
    )
    assert cases_visible_to(world.custody).filter(pk=case.pk).exists()


def test_same_cpr_reuses_the_person_and_links_the_earlier_attempt(world, municipality_a):
    first = _register(world, world.member_a, municipality=municipality_a, cpr="0203941234")
    case_transition(actor=world.member_a, case=first, target="withdrawn", reason="Stopped")
    second = _register(
        world, world.member_a, municipality=municipality_a, cpr="020394-1234", first_name="K"
    )
    assert second.person_id == first.person_id
    assert second.previous_case_id == first.pk


def test_open_case_blocks_a_second_inquiry(world, municipality_a):
    _register(world, world.member_a, municipality=municipality_a, cpr="0203941234")
    with pytest.raises(ValidationError, match="open case"):
        _register(world, world.member_a, municipality=municipality_a, cpr="0203941234")


def test_same_name_and_birth_date_asks_for_confirmation(world, municipality_a):
    _register(world, world.member_a, municipality=municipality_a)
    with pytest.raises(PossibleDuplicateError) as info:
        _register(world, world.member_a, municipality=municipality_a)
    assert len(info.value.candidates) == 1
    case = _register(world, world.member_a, municipality=municipality_a, confirm_new_person=True)
    assert case.person_id != info.value.candidates[0].pk


def test_bad_input_changes_nothing(world, municipality_a):
    with pytest.raises(ValidationError):
        _register(world, world.member_a, municipality=None)
    with pytest.raises(ValidationError):
        _register(world, world.member_a, municipality=municipality_a, source="rumour")
    with pytest.raises(ValidationError):
        _register(world, world.member_a, municipality=municipality_a, cpr="3213941234")
    assert not Inquiry.objects.exists()


def test_roles_without_casework_cannot_register(world, municipality_a):
    for user in (world.analyst, world.sysadmin, world.mentor, world.auditor):
        with pytest.raises(PermissionDenied):
            _register(world, user, municipality=municipality_a)


def test_consent_record_and_withdrawal(world, municipality_a):
    case = _register(world, world.member_a, municipality=municipality_a)
    assert consent_in_force(case) is None
    consent = consent_record(
        actor=world.member_a,
        case=case,
        given_on=case.opened_on,
        method="in_person",
        agencies=["police", "municipality"],
        topics=["crime"],
    )
    assert consent_covers(case, "police") and not consent_covers(case, "national")
    with pytest.raises(PermissionDenied):
        consent_withdraw(
            actor=world.member_b, consent=consent, withdrawn_on=case.opened_on, note="x"
        )
    consent_withdraw(
        actor=world.member_a, consent=consent, withdrawn_on=case.opened_on, note="Withdrawn"
    )
    assert consent_in_force(case) is None
    with pytest.raises(ValidationError):
        consent_record(
            actor=world.member_a,
            case=case,
            given_on=case.opened_on,
            method="telepathy",
            agencies=["police"],
            topics=["crime"],
        )
