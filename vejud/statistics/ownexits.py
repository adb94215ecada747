"""Exits on one's own: recorded by a service (checked, audited), counted in the overview
through disclosure control like every other figure."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from vejud.access.ownexits import own_exit_districts, own_exit_units
from vejud.accounts.models import User
from vejud.audit.services import audit_record, audited_service, snapshot
from vejud.organisations.models import PoliceDistrict, Unit
from vejud.people.models import GroupKind
from vejud.statistics.disclosure import ProtectedTable, release
from vejud.statistics.models import OwnExit, OwnExitSource

FIRST_YEAR = 2000
YEARS_SHOWN = 5


@audited_service
def own_exit_record(
    *,
    actor: User,
    unit: Unit,
    year: int,
    police_district: PoliceDistrict,
    group_kind: str,
    known_from: str,
) -> OwnExit:
    """Record that someone left on their own (the year it happened, not later than now)."""
    if not own_exit_units(actor).filter(pk=unit.pk).exists():
        raise PermissionDenied(_("You do not record for this unit."))
    if not own_exit_districts(actor).filter(pk=police_district.pk).exists():
        raise PermissionDenied(_("You do not record exits in this police district."))
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise ValidationError(_("Give a year from 2000 to this year."), code="year")
    if group_kind not in GroupKind.values or known_from not in OwnExitSource.values:
        raise ValidationError(_("Choose from the lists."), code="choice")
    record = OwnExit.objects.create(
        year=year,
        police_district=police_district,
        group_kind=group_kind,
        known_from=known_from,
        unit=unit,
        recorded_by=actor,
    )
    audit_record(actor=actor, action="own_exit.record", obj=record, changes=snapshot(record))
    return record


def own_exit_counts(today: date | None = None) -> dict[tuple[int, str], int]:
    """Exits on one's own by (year, kind of group) over the last completed years (one query)."""
    last = (today or timezone.localdate()).year - 1
    years = list(range(last - YEARS_SHOWN + 1, last + 1))
    counts = {(y, k): 0 for y in years for k in GroupKind.values}
    for year, kind in OwnExit.objects.filter(year__in=years).values_list("year", "group_kind"):
        counts[(year, kind)] += 1
    return counts


def own_exits_released(
    today: date | None = None, counts: dict[tuple[int, str], int] | None = None
) -> ProtectedTable:
    """Exits on one's own by year (the last completed years) and kind of group, released
    through disclosure control (cells of 1-4 hidden, with what would reveal them); ``counts``
    as ``own_exit_counts`` read them, or read here."""
    if counts is None:
        counts = own_exit_counts(today)
    years = sorted({year for year, _kind in counts})
    kinds = list(GroupKind.values)
    table = release(
        "own_exits",
        [[counts[(y, k)] for k in kinds] for y in years],
        rows=[str(y) for y in years],
        columns=kinds,
        period=(date(years[0], 1, 1), date(years[-1], 12, 31)),
    )
    return replace(table, columns=[str(GroupKind(k).label) for k in kinds])
