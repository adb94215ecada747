"""Who records exits on one's own (no person data) and whose records they see: local unit
staff for their own units' police districts, the national contact point for every district.
Each sees the records of their own units; the national contact point sees all."""

from __future__ import annotations

from django.db.models import QuerySet

from vejud.access.rules import Capability, has_capability, scope_for
from vejud.accounts.models import User
from vejud.organisations.models import PoliceDistrict, Unit
from vejud.statistics.models import OwnExit


def own_exit_units(user: User) -> QuerySet[Unit]:
    """The active units ``user`` records for (none without the capability)."""
    if not has_capability(user, Capability.RECORD_OWN_EXITS):
        return Unit.objects.none()
    scope = scope_for(user)
    units = scope.unit_ids | scope.national_unit_ids
    return Unit.objects.filter(pk__in=units, is_active=True).order_by("name")


def own_exit_districts(user: User) -> QuerySet[PoliceDistrict]:
    """The police districts ``user`` may record an exit in."""
    if not has_capability(user, Capability.RECORD_OWN_EXITS):
        return PoliceDistrict.objects.none()
    if scope_for(user).national:
        return PoliceDistrict.objects.order_by("name")
    return PoliceDistrict.objects.filter(exit_unit__in=own_exit_units(user)).order_by("name")


def own_exits_visible(user: User) -> QuerySet[OwnExit]:
    """The records ``user`` sees in the list: their units'; all for the national staff."""
    if not has_capability(user, Capability.RECORD_OWN_EXITS):
        return OwnExit.objects.none()
    if scope_for(user).national:
        return OwnExit.objects.all()
    return OwnExit.objects.filter(unit__in=own_exit_units(user))
