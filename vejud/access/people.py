"""Who may keep a person's exclusion and restriction lists, and export what is held on them."""

from __future__ import annotations

from vejud.access.cases import cases_visible_to
from vejud.access.casework import Actor, may_act
from vejud.access.rules import Capability, scope_for
from vejud.accounts.models import User
from vejud.cases.models import Case
from vejud.people.models import Person


def manages_person(user: User, person: Person) -> bool:
    """Return True if ``user`` may edit the person's access lists: a manager of the national
    contact point, or the coordinator of a unit responsible for one of the person's cases."""
    scope = scope_for(user)
    if not scope.has(Capability.MANAGE_PERSON_ACCESS):
        return False
    if scope.national:
        return True
    return Case.objects.filter(
        person_id=person.pk, responsible_unit_id__in=sorted(scope.coordinator_unit_ids)
    ).exists()


def may_edit_person(user: User, person: Person) -> bool:
    """Return True if ``user`` may change the person's details: a caseworker who works on one
    of the person's cases (``may_act`` as caseworker; a user the person's lists bar, a
    break-the-glass reader or a mentor may not)."""
    cases = cases_visible_to(user).filter(person_id=person.pk)
    return any(may_act(user, case, Actor.CASEWORKER) for case in cases)


def _keeps_records(user: User, person: Person, capability: Capability) -> bool:
    """The national contact point's managers, or the coordinator of a unit responsible for
    one of the person's cases; either way only while a case of the person is within the
    user's reach (a user the person's lists bar may not)."""
    scope = scope_for(user)
    if not scope.has(capability):
        return False
    cases = cases_visible_to(user).filter(person_id=person.pk)
    if not scope.national:
        cases = cases.filter(responsible_unit_id__in=sorted(scope.coordinator_unit_ids))
    return cases.exists()


def may_export_person(user: User, person: Person) -> bool:
    """Return True if ``user`` may produce a subject-access export of ``person``."""
    return _keeps_records(user, person, Capability.SUBJECT_ACCESS)


def may_hold_person(user: User, person: Person) -> bool:
    """Return True if ``user`` may set or lift a hold on the person's anonymisation."""
    return _keeps_records(user, person, Capability.HOLD_RECORDS)
