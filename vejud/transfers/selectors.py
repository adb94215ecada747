"""Reads about transfers."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from vejud.accounts.models import NATIONAL_ROLES, UNIT_ROLES, Membership, Role, User
from vejud.organisations.models import UnitKind
from vejud.transfers.models import Transfer

CUSTODY_KINDS = (UnitKind.DFK, UnitKind.INSTITUTION)


def receivable_by(user: User) -> QuerySet[Transfer]:
    """Return the transfers addressed to the user's units (the rule of ``can_receive``)."""
    memberships = Membership.objects.active().filter(user_id=user.pk).values_list("unit_id", "role")
    national, custody, local = set(), set(), set()
    for unit_id, role in memberships:
        if role in NATIONAL_ROLES:
            national.add(unit_id)
        if role == Role.CUSTODY_STAFF:
            custody.add(unit_id)
        if role in UNIT_ROLES:
            local.add(unit_id)
    return Transfer.objects.filter(
        Q(to_unit__kind=UnitKind.NATIONAL, to_unit_id__in=sorted(national))
        | Q(to_unit__kind__in=CUSTODY_KINDS, to_unit_id__in=sorted(custody))
        | Q(to_unit__kind__in=CUSTODY_KINDS, to_institution_id__in=sorted(custody))
        | (
            ~Q(to_unit__kind__in=[UnitKind.NATIONAL, *CUSTODY_KINDS])
            & Q(to_unit_id__in=sorted(local))
        )
    )
