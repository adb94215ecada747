"""Whether a registered person is within a user's reach (issue 11, holes 3 and 5).

Registering an inquiry must not tell the user anything about a person they may not
see. A CPR number or a name and date of birth that match a person outside the user's
reach is not attached to the new case: the inquiry goes ahead with the details the user
gave, and the match goes to the unit responsible for the existing person (or the
national contact point) as a "possible existing person" for them to link or reject.
"""

from __future__ import annotations

from django.db.models import Q

from vejud.access.cases import cases_visible_to
from vejud.access.rules import Capability, scope_for
from vejud.accounts.models import User
from vejud.cases.models import Case
from vejud.organisations.models import Unit, UnitKind
from vejud.people.models import Person


def person_in_reach(user: User, person: Person) -> bool:
    """Return True if ``user`` may see one of the person's cases (or the person has none)."""
    cases = Case.objects.filter(person_id=person.pk)
    if not cases.exists():
        return True
    return cases_visible_to(user).filter(person_id=person.pk).exists()


def person_deciding_unit(person: Person) -> Unit | None:
    """Return the unit that decides on a possible match with ``person``.

    The responsible unit of the person's latest case; the national contact point if the
    person has no case.
    """
    latest = Case.objects.filter(person_id=person.pk).order_by("-opened_on", "-pk").first()
    if latest is not None:
        return latest.responsible_unit
    return Unit.objects.filter(kind=UnitKind.NATIONAL, is_active=True).order_by("pk").first()


def deciding_unit_condition(user: User, unit_field: str = "unit_id") -> Q:
    """Return the filter for matches the user may decide: their coordinated units, or all
    for the national contact point's head."""
    scope = scope_for(user)
    if not scope.has(Capability.LINK_INQUIRIES):
        return Q(pk__in=[])
    if scope.national:
        return Q()
    return Q(**{f"{unit_field}__in": sorted(scope.coordinator_unit_ids)})
