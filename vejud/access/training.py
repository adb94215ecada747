"""Who sees and does what in training (uddannelse): the one place its rules know roles.

- Staff working with exit cases (``TAKE_TRAINING``) see the catalogue and their own
  registrations; a unit coordinator also their unit's; the national contact point all.
- A unit coordinator registers their unit's staff, the national contact point anyone.
- The attendance list of a session is for its teachers and the national contact point.
- Coverage: the coordinator sees their unit, the national contact point everything, by name;
  the analyst sees the counts only.

A registration or session outside the user's reach answers 404, as one that does not exist;
a role without the capability answers 403 (the gates below declare it for the matrix).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from vejud.access.gate import View, object_view
from vejud.access.rules import CAPABILITY_ROLES, TRAINEE_ROLES, Capability, require, scope_for
from vejud.accounts.models import Membership, User
from vejud.training.models import Course, Registration, Session


def trainee_membership(user: User, *, on: date | None = None) -> Membership | None:
    """Return the membership a registration of ``user`` counts under (unit, agency, district):
    their earliest active membership in a role that works with exit cases."""
    return (
        Membership.objects.active(on)
        .filter(user=user, role__in=sorted(TRAINEE_ROLES))
        .select_related("unit", "unit__police_district")
        .order_by("valid_from", "pk")
        .first()
    )


def sees_all_training(user: User) -> bool:
    """Return True for the national contact point: every registration, every unit's coverage."""
    scope = scope_for(user)
    return scope.national and scope.has(Capability.MANAGE_TRAINING)


def _coordinated(user: User) -> frozenset[int]:
    scope = scope_for(user)
    return scope.coordinator_unit_ids if scope.has(Capability.REGISTER_STAFF) else frozenset()


def registrations_visible_to(user: User) -> QuerySet[Registration]:
    """Return the registrations ``user`` may see: their own, their coordinated units', or all."""
    registrations = Registration.objects.all()
    if not scope_for(user).has(Capability.TAKE_TRAINING):
        return registrations.none()
    if sees_all_training(user):
        return registrations
    return registrations.filter(Q(user=user) | Q(unit_id__in=sorted(_coordinated(user))))


def registration_for(user: User, registration_id: int) -> Registration:
    """Fetch a registration the user may see; 404 alike for missing and for not theirs."""
    registrations = registrations_visible_to(user).select_related("session__course", "user", "unit")
    return get_object_or_404(registrations, pk=registration_id)


def may_manage_registration(user: User, registration: Registration) -> bool:
    """Return True if ``user`` may cancel or accept for ``registration`` (whoever sees it)."""
    return registrations_visible_to(user).filter(pk=registration.pk).exists()


def staff_registrable_by(user: User) -> QuerySet[User]:
    """Return the staff ``user`` may register: anyone (national), their units' staff
    (coordinator), else only themself."""
    if not scope_for(user).has(Capability.TAKE_TRAINING):
        return User.objects.none()
    trainees = Membership.objects.active().filter(role__in=sorted(TRAINEE_ROLES))
    if not sees_all_training(user):
        trainees = trainees.filter(unit_id__in=sorted(_coordinated(user)))
    ids = trainees.values("user_id")
    return User.objects.filter(Q(pk__in=ids) | Q(pk=user.pk), is_active=True).order_by("full_name")


def may_register_for(actor: User, participant: User) -> bool:
    """Return True if ``actor`` may register ``participant`` (themself, or staff they manage)."""
    if participant.pk == actor.pk:
        return scope_for(actor).has(Capability.TAKE_TRAINING)
    return staff_registrable_by(actor).filter(pk=participant.pk).exists()


def may_take_attendance(user: User, session: Session) -> bool:
    """Return True for the session's teachers and the national contact point."""
    if not scope_for(user).has(Capability.TAKE_TRAINING):
        return False
    return sees_all_training(user) or session.teachers.filter(pk=user.pk).exists()


def sessions_taught_by(user: User) -> QuerySet[Session]:
    """Return the sessions whose attendance ``user`` takes (all, for the national contact point)."""
    sessions = Session.objects.all()
    if not scope_for(user).has(Capability.TAKE_TRAINING):
        return sessions.none()
    return sessions if sees_all_training(user) else sessions.filter(teachers=user)


def session_for_teacher(user: User, session_id: int) -> Session:
    """Fetch a session whose attendance ``user`` takes; 404 for missing and not theirs."""
    return get_object_or_404(sessions_taught_by(user).select_related("course"), pk=session_id)


def required_courses(user: User, *, on: date | None = None) -> QuerySet[Course]:
    """Return the active courses one of ``user``'s roles requires a valid completion of."""
    roles = set(Membership.objects.active(on).filter(user=user).values_list("role", flat=True))
    ids = [c.pk for c in Course.objects.filter(is_active=True) if course_required_for(c, roles)]
    return Course.objects.filter(pk__in=ids)


# --- Coverage ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageReach:
    """Whose training a user may count: every unit or some, and whether by name."""

    all_units: bool
    unit_ids: frozenset[int]
    names: bool


def coverage_reach(user: User) -> CoverageReach:
    """The national contact point: everyone, by name; a coordinator: their units, by name;
    the analyst: everyone, counts only. 403 without ``VIEW_TRAINING_COVERAGE``."""
    require(user, Capability.VIEW_TRAINING_COVERAGE)
    if sees_all_training(user):
        return CoverageReach(True, frozenset(), True)
    coordinated = _coordinated(user)
    if coordinated:
        return CoverageReach(False, coordinated, True)
    return CoverageReach(True, frozenset(), False)


@dataclass(frozen=True)
class StaffPost:
    """One staff member's post that counts in coverage: a trainee-role membership."""

    user_id: int
    full_name: str
    unit_id: int
    unit_name: str
    agency: str
    district_id: int | None
    district_name: str
    role: str


def exit_staff(reach: CoverageReach, *, on: date | None = None) -> list[StaffPost]:
    """Return the posts of staff working with exit cases within ``reach`` (one per user and
    unit: their first role there), in one query."""
    memberships = (
        Membership.objects.active(on)
        .filter(role__in=sorted(TRAINEE_ROLES), user__is_active=True)
        .select_related("user", "unit", "unit__police_district")
        .order_by("unit__name", "user__full_name", "valid_from", "pk")
    )
    if not reach.all_units:
        memberships = memberships.filter(unit_id__in=sorted(reach.unit_ids))
    posts: dict[tuple[int, int], StaffPost] = {}
    for m in memberships:
        district = m.unit.police_district
        posts.setdefault(
            (m.user_id, m.unit_id),
            StaffPost(
                user_id=m.user_id,
                full_name=m.user.full_name,
                unit_id=m.unit_id,
                unit_name=m.unit.name,
                agency=m.agency,
                district_id=district.pk if district else None,
                district_name=district.name if district else "",
                role=m.role,
            ),
        )
    return list(posts.values())


def roles_of_posts(posts: list[StaffPost], *, on: date | None = None) -> dict[int, set[str]]:
    """Return each posted user's active roles (for what their roles require)."""
    roles: dict[int, set[str]] = {}
    for user_id, role in (
        Membership.objects.active(on)
        .filter(user_id__in=sorted({p.user_id for p in posts}))
        .values_list("user_id", "role")
    ):
        roles.setdefault(user_id, set()).add(role)
    return roles


def staff_by_unit(unit_ids: list[int], *, on: date | None = None) -> dict[int, set[int]]:
    """Return, per unit, the ids of its active staff working with exit cases."""
    staff: dict[int, set[int]] = {unit_id: set() for unit_id in unit_ids}
    for unit_id, user_id in (
        Membership.objects.active(on)
        .filter(unit_id__in=sorted(unit_ids), role__in=sorted(TRAINEE_ROLES), user__is_active=True)
        .values_list("unit_id", "user_id")
    ):
        staff[unit_id].add(user_id)
    return staff


def course_required_for(course: Course, roles: set[str]) -> bool:
    """Return True if one of ``roles`` must hold a valid completion of ``course``: the course
    names the role, or ``VEJUD_TRAINING_FOR_ACCESS`` makes it a condition of a capability the
    role gives."""
    if roles & set(course.required_for_roles):
        return True
    return any(
        code == course.code and roles & CAPABILITY_ROLES[Capability(name)]
        for name, code in settings.VEJUD_TRAINING_FOR_ACCESS.items()
        if name in {c.value for c in Capability}
    )


# --- Page gates ----------------------------------------------------------------------------


def registration_view(capability: Capability = Capability.TAKE_TRAINING) -> Callable[[View], View]:
    """Open the registration named by ``registration_id``: 403 without ``capability``, 404 for
    one the user may not see. The view is called as ``view(request, registration, ...)``."""
    return object_view(capability, "registration_id", registration_for, "training_registration")


# Open the session named by ``session_id`` for its teachers and the national contact point: 403
# without ``TAKE_TRAINING``, 404 for anyone else. Called as ``view(request, session, ...)``.
teacher_view = object_view(
    Capability.TAKE_TRAINING, "session_id", session_for_teacher, "training_teacher"
)


def may_manage_catalogue(user: User) -> bool:
    """Return True if ``user`` may add courses and sessions and change a session's status
    (the national contact point)."""
    return sees_all_training(user)
