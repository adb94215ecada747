"""Who may be assigned to a case: its mentor, or the named owner of a plan action.

A person's exclusion list bars assignment as it bars access (as probation systems enforce
it at allocation): a barred user cannot be made the person's mentor or the owner of
work on their case, and is not offered in the pickers. A restriction list likewise
leaves only the users it names.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from vejud.access.rules import CASEWORK_ROLES, scope_for
from vejud.accounts.models import Membership, Role, User
from vejud.cases.models import Case, MentorAssignment
from vejud.people.models import AccessRuleKind, PersonAccessRule


def _case_units(case: Case) -> list[int]:
    return [case.responsible_unit_id, *([case.institution_id] if case.institution_id else [])]


def _not_barred(users: QuerySet[User], person_id: int, today: date) -> QuerySet[User]:
    """``users`` less those the person's exclusion or restriction list bars."""
    rules = list(
        PersonAccessRule.objects.in_force(today)
        .filter(person_id=person_id)
        .values_list("kind", "user_id")
    )
    excluded = sorted(user for kind, user in rules if kind == AccessRuleKind.EXCLUSION)
    named = sorted(user for kind, user in rules if kind == AccessRuleKind.RESTRICTION)
    users = users.exclude(pk__in=excluded)
    if named:
        users = users.filter(pk__in=named)
    return users


def person_bars(user: User, person_id: int, today: date | None = None) -> bool:
    """Return True if the person's exclusion or restriction list bars ``user``."""
    day = today or timezone.localdate()
    return not _not_barred(User.objects.filter(pk=user.pk), person_id, day).exists()


def is_mentor(user: User) -> bool:
    """Return True if ``user`` holds the mentor role."""
    return scope_for(user).mentor


def mentor_candidates(case: Case) -> QuerySet[User]:
    """Return who may be made the case's mentor: active mentors of the case's units whom the
    person's lists do not bar."""
    today = timezone.localdate()
    mentors = Membership.objects.active().filter(role=Role.MENTOR, unit_id__in=_case_units(case))
    users = User.objects.filter(is_active=True, pk__in=mentors.values("user_id"))
    return _not_barred(users, case.person_id, today).order_by("full_name", "pk")


def owner_candidates(case: Case) -> QuerySet[User]:
    """Return who may own a plan action: staff of the case's units and its mentor, less those
    the person's lists bar."""
    today = timezone.localdate()
    staff = Membership.objects.active().filter(
        role__in=sorted(CASEWORK_ROLES), unit_id__in=_case_units(case)
    )
    mentors = MentorAssignment.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today), case=case, starts_on__lte=today
    )
    users = User.objects.filter(is_active=True).filter(
        Q(pk__in=staff.values("user_id")) | Q(pk__in=mentors.values("mentor_id"))
    )
    return _not_barred(users, case.person_id, today).order_by("full_name", "pk")
