"""Casework: who works on a case (not only sees it), and who decides on it.

``may_act`` answers "may this user make a transition of this kind on this case now" for
services, selectors, panels and the API alike. The conditions below name the cases a
user works on as unit or custody staff (mentor and break-glass access are not
casework), for the task list and other "my work" lists.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from vejud.access.cases import (
    CaseAccess,
    barred_persons,
    case_access,
    may_list_cases,
    mentor_assignments,
)
from vejud.access.rules import Basis, Capability, has_capability, scope_for
from vejud.accounts.models import Role, User
from vejud.cases.models import Case, Track
from vejud.organisations.models import Unit


class Actor(StrEnum):
    """Who may make a transition (resolved against the case by ``may_act``)."""

    CASEWORKER = "caseworker"  # staff of the responsible unit / institution, or national staff
    UNIT_DECIDER = "unit_decider"  # the unit coordinator; custody staff for custody cases
    NATIONAL_DECIDER = "national_decider"  # the national decision-maker
    # The case's mentor: an assignment in force, and the case open or ended within
    # VEJUD_MENTOR_GRACE_DAYS (not a transition of the state table; the meeting log).
    MENTOR = "mentor"
    # Who applies to the central pool on the case: an applicant role, not by breaking the
    # glass (``may_apply_for_grants``).
    APPLICANT = "applicant"


NOT_YOURS = gettext_lazy("Your role on the case does not allow this action.")
# Why a user who is not ``Actor`` on a case is refused an action that only it makes.
ACTOR_REASONS: dict[Actor, Promise] = {
    Actor.CASEWORKER: gettext_lazy("Only the case's caseworkers do this."),
    Actor.UNIT_DECIDER: gettext_lazy(
        "Only the unit's coordinator makes this decision (custody staff on a custody case)."
    ),
    Actor.NATIONAL_DECIDER: gettext_lazy(
        "Only the decision-maker at the national contact point makes this decision."
    ),
    Actor.MENTOR: gettext_lazy("Only the case's mentor does this."),
    Actor.APPLICANT: gettext_lazy(
        "Only the case's caseworkers in a local unit or in custody apply to the central pool."
    ),
}


def role_refusal(actors: Iterable[str]) -> str:
    """Return why a user who is none of ``actors`` on a case is refused the action (403)."""
    reasons = sorted({str(ACTOR_REASONS[Actor(actor)]) for actor in actors})
    return " ".join([str(NOT_YOURS), *reasons])


def may_act(actor: User, case: Case, who: Actor) -> bool:
    """Return True if ``actor`` may make a transition of kind ``who`` on ``case``."""
    access = case_access(actor, case)
    if access is None:
        return False
    if who == Actor.MENTOR:
        return is_case_mentor(actor, case)
    if who == Actor.CASEWORKER:
        return may_work_on(actor, access)
    if not works_on(access):
        return False
    scope = scope_for(actor)
    if who == Actor.UNIT_DECIDER:
        if case.track == Track.CUSTODY:
            return Role.CUSTODY_STAFF in scope.roles and access.basis == Basis.CUSTODY
        return case.responsible_unit_id in scope.coordinator_unit_ids
    if who == Actor.NATIONAL_DECIDER:
        return is_national_decider(actor)
    if who == Actor.APPLICANT:
        return may_apply_for_grants(actor, access)
    return False


def works_on(access: CaseAccess) -> bool:
    """Return True if the case was opened as casework (unit, custody or national staff): a
    mentor works only on the meeting log, and break-the-glass access is to read, never to act
    on (every write on the case asks ``may_act``, which asks this)."""
    return access.basis not in (Basis.MENTOR, Basis.BREAK_GLASS)


def may_work_on(user: User, access: CaseAccess) -> bool:
    """Return True if ``user`` works on the case they opened (``access``) as its caseworker:
    ``may_act(user, access.case, Actor.CASEWORKER)`` without opening the case again, for what
    a page offers (the journal's form, the protected address's registration)."""
    return works_on(access) and scope_for(user).has(Capability.WRITE_JOURNAL)


def require_actor(actor: User, case: Case, who: Actor) -> None:
    """Refuse (PermissionDenied) unless ``actor`` may act as ``who`` on ``case`` (``may_act``)."""
    if not may_act(actor, case, who):
        raise PermissionDenied


def is_case_mentor(user: User, case: Case) -> bool:
    """Return True if ``user`` is the case's mentor today: an assignment in force, on a case
    open or ended within the mentor's grace period (``VEJUD_MENTOR_GRACE_DAYS``)."""
    today = timezone.localdate()
    return mentor_assignments(user.pk, today).filter(case_id=case.pk).exists()


def is_national_decider(user: User) -> bool:
    """Return True if ``user`` takes final decisions at the national contact point."""
    scope = scope_for(user)
    return scope.national and Role.NATIONAL_DECISION_MAKER in scope.roles


def acts_nationally(user: User, capability: Capability) -> bool:
    """Return True if ``user`` holds ``capability`` as staff of the national contact point."""
    scope = scope_for(user)
    return scope.national and scope.has(capability)


def may_open_case(user: User, *, unit: Unit, track: str, institution: Unit | None) -> bool:
    """Return True if ``user`` may open a case with ``unit`` responsible (``track``, institution)."""
    scope = scope_for(user)
    if not scope.has(Capability.WRITE_JOURNAL):
        return False
    if scope.national or unit.pk in scope.unit_ids:
        return True
    return track == Track.CUSTODY and (
        scope.custody_all
        or (institution is not None and institution.pk in scope.custody_institution_ids)
    )


def casework_condition(user: User, prefix: str = "") -> Q:
    """Return the cases ``user`` works on as unit or custody staff, as a condition.

    ``prefix`` reaches the case from another model (``"case__"``). Mentor and
    break-glass access are not casework. The person's lists are not applied here
    (``my_casework`` applies them).
    """
    scope = scope_for(user)
    condition = Q(**{f"{prefix}pk__in": []})
    if scope.unit_ids:
        condition |= Q(**{f"{prefix}responsible_unit_id__in": sorted(scope.unit_ids)})
    if scope.custody_all:
        condition |= Q(**{f"{prefix}track": Track.CUSTODY})
    elif scope.custody_institution_ids:
        condition |= Q(
            **{
                f"{prefix}track": Track.CUSTODY,
                f"{prefix}institution_id__in": sorted(scope.custody_institution_ids),
            }
        )
    return condition


def my_casework(user: User, today: date | None = None, prefix: str = "") -> Q:
    """Casework cases reached through ``prefix``, less those whose person bars the user."""
    day = today or timezone.localdate()
    return casework_condition(user, prefix) & ~barred_persons(user.pk, day, f"{prefix}person_id")


def casework_cases(user: User) -> QuerySet[Case]:
    """Return the cases ``user`` works on as unit or custody staff (not mentor or break-glass).

    The casework condition lies inside the scope ``cases_visible_to`` reaches, so the list is
    the condition less the person's lists, without the visible cases' one-by-one ids.
    """
    if not may_list_cases(user):
        return Case.objects.none()
    return Case.objects.filter(my_casework(user))


def unit_decider_condition(user: User) -> Q:
    """Return the condition (on ``Case``, within the user's casework) for the unit's decision:
    the coordinator's own units; custody cases for custody staff."""
    scope = scope_for(user)
    condition = Q(responsible_unit_id__in=sorted(scope.coordinator_unit_ids))
    if Role.CUSTODY_STAFF in scope.roles:
        condition |= Q(track=Track.CUSTODY)
    return condition


def coordinates_condition(user: User, today: date | None = None, prefix: str = "case__") -> Q:
    """Return the cases (through ``prefix``) whose mentor flags and warnings ``user`` handles:
    the coordinator's units, and custody cases in a custody officer's casework. The person's
    lists apply."""
    day = today or timezone.localdate()
    scope = scope_for(user)
    condition = Q(**{f"{prefix}responsible_unit_id__in": sorted(scope.coordinator_unit_ids)})
    if Role.CUSTODY_STAFF in scope.roles:
        condition |= Q(**{f"{prefix}track": Track.CUSTODY}) & casework_condition(user, prefix)
    return condition & ~barred_persons(user.pk, day, f"{prefix}person_id")


def may_apply_for_grants(user: User, access: CaseAccess) -> bool:
    """Return True if ``user`` may apply to the central pool on the opened case: an applicant
    role, and not by breaking the glass (which gives access to read, not to apply)."""
    return has_capability(user, Capability.APPLY_GRANTS) and not access.break_glass


def acts_nationally_on(user: User, access: CaseAccess, capability: Capability) -> bool:
    """Return True if ``user`` holds ``capability`` and opened the case as national staff."""
    return has_capability(user, capability) and access.as_national
