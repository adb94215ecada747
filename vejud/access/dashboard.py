"""Who sees the harmonisation dashboard, and which units' figures.

The national contact point and the analyst see every unit and the comparison between them;
local unit staff see their own units beside the national figures, never another unit's.
The figures are counts (released through disclosure control), never a person or a case.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from vejud.access.rules import Capability, has_capability, scope_for
from vejud.accounts.models import User
from vejud.organisations.models import Unit, UnitKind


@dataclass(frozen=True)
class DashboardReach:
    all_units: bool  # every unit, and the comparison between units
    own_units: frozenset[int]  # the user's own units (when not all)


def dashboard_reach(user: User) -> DashboardReach | None:
    """Return what ``user`` may see on the dashboard (None: not the dashboard at all)."""
    if not has_capability(user, Capability.VIEW_DASHBOARD):
        return None
    scope = scope_for(user)
    if scope.national or has_capability(user, Capability.VIEW_STATISTICS):
        return DashboardReach(all_units=True, own_units=frozenset())
    return DashboardReach(all_units=False, own_units=scope.unit_ids)


def dashboard_units(reach: DashboardReach) -> QuerySet[Unit]:
    """The units the dashboard may name for ``reach``: the units in reach that hold cases."""
    units = Unit.objects.exclude(kind=UnitKind.NATIONAL).only(
        "id", "name", "code", "police_district_id"
    )
    return units if reach.all_units else units.filter(pk__in=reach.own_units)
