"""A person's details are changed only by a caseworker who works on one of the person's cases.

``person_update`` asked only for the capability to write journal notes, so any caseworker of
any unit (or a user the person's lists bar, or a break-the-glass reader) could change the name
or the threat notes of a person they may not even see.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from vejud.audit.models import AuditEvent
from vejud.cases.services import break_glass_open
from vejud.people.models import AccessRuleKind, Person
from vejud.people.services import person_access_rule_add, person_update
from vejud.testing import make_case

REASON = "The person was arrested in our district tonight"


@pytest.fixture
def case(world):
    return make_case(world.coordinator_a, world.unit_a, first_name="Ada", last_name="Kvist")


def _refused(actor, person: Person) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        person_update(actor=actor, person=person, threat_notes="Changed", reason="Test")
    person.refresh_from_db()
    assert person.threat_notes != "Changed"
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("who", ["member_a", "coordinator_a"])
def test_the_units_caseworkers_may_change_the_person(world, case, who):
    person = person_update(actor=getattr(world, who), person=case.person, first_name="Alma")
    assert Person.objects.get(pk=person.pk).first_name == "Alma"
    assert AuditEvent.objects.filter(action="person.update", object_id=str(person.pk)).exists()


@pytest.mark.parametrize("who", ["member_b", "coordinator_b", "analyst", "auditor", "mentor"])
def test_a_user_outside_the_persons_cases_may_not(world, case, who):
    _refused(getattr(world, who), case.person)


def test_a_break_glass_reader_may_not(world, case):
    break_glass_open(actor=world.member_b, reference=case.reference, reason=REASON)
    _refused(world.member_b, case.person)


def test_a_user_the_persons_exclusion_list_names_may_not(world, case):
    person_access_rule_add(
        actor=world.coordinator_a,
        person=case.person,
        kind=AccessRuleKind.EXCLUSION,
        user=world.member_a,
    )
    with pytest.raises(PermissionDenied):
        person_update(actor=world.member_a, person=case.person, first_name="X", reason="Test")
    case.person.refresh_from_db()
    assert case.person.first_name == "Ada"
