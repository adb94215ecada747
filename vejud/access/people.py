"""Who may keep a person's exclusion and restriction lists."""

from __future__ import annotations

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
