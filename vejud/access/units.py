"""Which units a user may name: the caseload's unit filter offers only those in scope."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from vejud.access.rules import scope_for
from vejud.accounts.models import NATIONAL_ROLES, Role, User
from vejud.organisations.models import Unit, UnitKind

# The kinds of unit a case can belong to (as responsible unit or institution).
CASE_UNIT_KINDS = (
    UnitKind.LOCAL,
    UnitKind.DFK,
    UnitKind.INSTITUTION,
    UnitKind.NATIONAL,
    UnitKind.MUNICIPAL_PROGRAMME,
)


def caseload_units(user: User) -> QuerySet[Unit]:
    """Return the units offered in the caseload's unit filter: those in the user's scope."""
    units = Unit.objects.filter(is_active=True, kind__in=CASE_UNIT_KINDS).order_by("name")
    scope = scope_for(user)
    if scope.national:
        return units
    condition = Q(pk__in=sorted(scope.unit_ids | scope.custody_institution_ids))
    if scope.custody_all:
        condition |= Q(kind__in=[UnitKind.DFK, UnitKind.INSTITUTION])
    return units.filter(condition)


def has_units(user: User) -> bool:
    """Return True if the user reaches cases through units (the unit filter has a use)."""
    scope = scope_for(user)
    return bool(
        scope.national or scope.unit_ids or scope.custody_all or scope.custody_institution_ids
    )


def role_unit_problem(role: str, unit: Unit) -> str | None:
    """Return why ``role`` cannot be held in ``unit`` (it would give no access at all), or None."""
    if role in NATIONAL_ROLES and unit.kind != UnitKind.NATIONAL:
        return str(_("National roles belong to the National Exit Contact Point."))
    if role == Role.CUSTODY_STAFF and unit.kind not in (UnitKind.DFK, UnitKind.INSTITUTION):
        return str(_("Custody staff belong to Kriminalforsorgen or one of its institutions."))
    return None


def coordinated_units(user: User) -> frozenset[int]:
    """Return the ids of the units ``user`` coordinates (as unit coordinator)."""
    return scope_for(user).coordinator_unit_ids
