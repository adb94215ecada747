"""Who receives a transfer: the one rule the transfers page, the API and the task list share.

A transfer is addressed to a unit (and, on the custody track, an institution). Its
receivers are the staff of that unit who answer for its kind: national staff of the
national contact point, custody staff of the DfK unit or the institution, unit staff
of a local unit or municipal programme. A receiver the person's exclusion or
restriction list bars does not receive it: they see nothing of it (not in their lists,
not in their task list, and answering it is "not found"), and a transfer that no
receiver could see is refused when it is requested (``transfer_receivers_barred``).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from vejud.access.cases import barred_persons
from vejud.access.rules import scope_for
from vejud.accounts.models import NATIONAL_ROLES, UNIT_ROLES, Membership, Role, User
from vejud.cases.models import Case
from vejud.organisations.models import Unit, UnitKind
from vejud.people.models import AccessRuleKind, PersonAccessRule
from vejud.transfers.models import Transfer, TransferStatus

CUSTODY_KINDS = (UnitKind.DFK, UnitKind.INSTITUTION)


def _receiving_roles(kind: str) -> frozenset[str]:
    """The roles that answer a transfer to a unit of ``kind``."""
    if kind == UnitKind.NATIONAL:
        return frozenset(NATIONAL_ROLES)
    if kind in CUSTODY_KINDS:
        return frozenset({Role.CUSTODY_STAFF})
    return frozenset(UNIT_ROLES)


def _receiver_condition(user: User) -> Q:
    """The transfers (as a condition on ``Transfer``) addressed to the user's units."""
    scope = scope_for(user)
    national = scope.national_unit_ids
    custody = scope.custody_unit_ids
    local = scope.unit_ids
    return (
        Q(to_unit__kind=UnitKind.NATIONAL, to_unit_id__in=sorted(national))
        | Q(to_unit__kind__in=CUSTODY_KINDS, to_unit_id__in=sorted(custody))
        | Q(to_unit__kind__in=CUSTODY_KINDS, to_institution_id__in=sorted(custody))
        | (
            ~Q(to_unit__kind__in=[UnitKind.NATIONAL, *CUSTODY_KINDS])
            & Q(to_unit_id__in=sorted(local))
        )
    )


def receivable_by(user: User, *, today: date | None = None) -> QuerySet[Transfer]:
    """Return the transfers ``user`` receives: addressed to their units, person not barring them."""
    day = today or timezone.localdate()
    return Transfer.objects.filter(_receiver_condition(user)).exclude(
        barred_persons(user.pk, day, "case__person_id")
    )


def awaiting_answer(user: User, *, today: date | None = None) -> QuerySet[Transfer]:
    """Return the pending transfers ``user`` is to answer (transfers page, API, task list)."""
    return receivable_by(user, today=today).filter(status=TransferStatus.PENDING)


def can_receive(user: User, transfer: Transfer) -> bool:
    """Return True if ``user`` receives ``transfer`` (the rule of ``receivable_by``)."""
    return receivable_by(user).filter(pk=transfer.pk).exists()


def transfer_for_receiver(user: User, transfer_id: int) -> Transfer:
    """Fetch a transfer the user receives; 404 alike for missing and for not theirs."""
    transfers = receivable_by(user).select_related("case", "from_unit", "to_unit")
    return get_object_or_404(transfers, pk=transfer_id)


def _possible_receivers(to_unit: Unit, to_institution: Unit | None) -> set[int]:
    units = [to_unit.pk, *([to_institution.pk] if to_institution is not None else [])]
    return set(
        Membership.objects.active()
        .filter(unit_id__in=units, role__in=sorted(_receiving_roles(to_unit.kind)))
        .values_list("user_id", flat=True)
    )


def transfer_receivers_barred(
    *, case: Case, to_unit: Unit, to_institution: Unit | None, today: date | None = None
) -> bool:
    """Return True if the person's lists bar every possible receiver of such a transfer.

    A person with a restriction list may only go to a unit where someone on the list
    answers; an exclusion list that names every receiver bars the unit too. The list's
    owner is then to extend it before the case can be handed over.
    """
    day = today or timezone.localdate()
    rules = list(
        PersonAccessRule.objects.in_force(day)
        .filter(person_id=case.person_id)
        .values_list("kind", "user_id")
    )
    if not rules:
        return False
    excluded = {user_id for kind, user_id in rules if kind == AccessRuleKind.EXCLUSION}
    named = {user_id for kind, user_id in rules if kind == AccessRuleKind.RESTRICTION}
    receivers = _possible_receivers(to_unit, to_institution) - excluded
    if any(kind == AccessRuleKind.RESTRICTION for kind, _user in rules):
        receivers &= named
    return not receivers
