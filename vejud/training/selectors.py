"""Reads for training: trained shares (the waiting list's priority) and coverage.

Who counts as staff working with exit cases, and which of their roles require a course, is
asked of ``vejud.access.training``; this module only counts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Max, Min, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from vejud.access.training import (
    CoverageReach,
    StaffPost,
    course_required_for,
    exit_staff,
    required_courses,
    roles_of_posts,
    staff_by_unit,
)
from vejud.accounts.models import User
from vejud.organisations.models import Agency
from vejud.training.models import (
    Attendance,
    Completion,
    Course,
    Registration,
    RegistrationStatus,
    Session,
    SessionDay,
    SessionStatus,
)

CHECK_IN_STATUSES = frozenset(
    {RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED, RegistrationStatus.COMPLETED}
)


def valid_completers(course: Course, day: date, user_ids: set[int] | None = None) -> set[int]:
    """Return the ids of the users holding a completion of ``course`` valid on ``day``."""
    rows = Completion.objects.filter(course=course, completed_on__lte=day)
    if user_ids is not None:
        rows = rows.filter(user_id__in=sorted(user_ids))
    return {
        user_id
        for user_id, valid_until in rows.values_list("user_id", "valid_until")
        if valid_until is None or valid_until >= day
    }


def trained_shares(
    course: Course, unit_ids: list[int], *, on: date | None = None
) -> dict[int, float]:
    """Return, per unit, the share of its staff holding a valid completion of ``course``
    (0.0 for a unit without staff)."""
    day = on or timezone.localdate()
    staff = staff_by_unit(unit_ids, on=day)
    everyone = set().union(*staff.values()) if staff else set()
    trained = valid_completers(course, day, everyone)
    return {
        unit_id: (len(members & trained) / len(members)) if members else 0.0
        for unit_id, members in staff.items()
    }


# --- Coverage --------------------------------------------------------------------------------

VALID = "valid"
EXPIRED = "expired"
MISSING = "missing"  # required for the role, never completed
UNTRAINED = "untrained"  # not required, not completed


@dataclass
class Counts:
    staff: int = 0
    trained: int = 0
    expired: int = 0
    missing: int = 0

    @property
    def share(self) -> int:
        """The trained share in whole per cent."""
        return round(100 * self.trained / self.staff) if self.staff else 0


@dataclass
class CourseCoverage:
    course: Course
    total: Counts = field(default_factory=Counts)
    by_agency: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_district: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_unit: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    # Named only for those who may see names: (post, state, valid_until or None).
    attention: list[tuple[StaffPost, str, date | None]] = field(default_factory=list)

    def agency_rows(self) -> list[tuple[str, Counts]]:
        return [(str(Agency(a).label), c) for a, c in sorted(self.by_agency.items())]

    def district_rows(self) -> list[tuple[str, Counts]]:
        return sorted(self.by_district.items())

    def unit_rows(self) -> list[tuple[str, Counts]]:
        return sorted(self.by_unit.items())


def _state(
    latest: date | None, has_any: bool, required: bool, day: date
) -> tuple[str, date | None]:
    if has_any and (latest is None or latest >= day):
        return VALID, latest
    if has_any:
        return EXPIRED, latest
    return (MISSING if required else UNTRAINED), None


def coverage(reach: CoverageReach, *, on: date | None = None) -> list[CourseCoverage]:
    """Return, per active course, how many staff within ``reach`` hold a valid completion,
    whose has expired and whose is missing though their role requires it, in total and per
    agency, district and unit (a fixed number of queries whatever the size)."""
    day = on or timezone.localdate()
    posts = exit_staff(reach, on=day)
    roles = roles_of_posts(posts, on=day)
    courses = list(Course.objects.filter(is_active=True).order_by("title"))
    latest: dict[tuple[int, int], date | None] = {}
    for user_id, course_id, valid_until in Completion.objects.filter(
        user_id__in=sorted({p.user_id for p in posts}), completed_on__lte=day
    ).values_list("user_id", "course_id", "valid_until"):
        key = (user_id, course_id)
        if key not in latest:
            latest[key] = valid_until
        else:
            current = latest[key]
            latest[key] = (
                None if current is None or valid_until is None else max(current, valid_until)
            )
    result = []
    for course in courses:
        cov = CourseCoverage(course=course)
        for post in posts:
            key = (post.user_id, course.pk)
            required = course_required_for(course, roles.get(post.user_id, set()))
            state, until = _state(latest.get(key), key in latest, required, day)
            for counts in (
                cov.total,
                cov.by_agency[post.agency],
                cov.by_district[post.district_name or "—"],
                cov.by_unit[post.unit_name],
            ):
                counts.staff += 1
                counts.trained += state == VALID
                counts.expired += state == EXPIRED
                counts.missing += state == MISSING
            if reach.names and state in (EXPIRED, MISSING):
                cov.attention.append((post, state, until))
        result.append(cov)
    return result


# --- What the pages and the API show ---------------------------------------------------------


def upcoming_sessions(*, now: datetime | None = None) -> QuerySet[Session]:
    """Sessions not cancelled whose last day has not ended, soonest first, with their course
    and days (three queries whatever the number)."""
    moment = now or timezone.now()
    return (
        Session.objects.exclude(status=SessionStatus.CANCELLED)
        .annotate(first_start=Min("days__starts_at"), last_end=Max("days__ends_at"))
        .filter(last_end__gt=moment)
        .select_related("course")
        .prefetch_related("days")
        .order_by("first_start", "pk")
    )


@dataclass
class CatalogueEntry:
    course: Course
    sessions: list[Session]


def catalogue(*, now: datetime | None = None) -> list[CatalogueEntry]:
    """The active courses with their coming sessions (a fixed number of queries)."""
    sessions: dict[int, list[Session]] = defaultdict(list)
    for session in upcoming_sessions(now=now):
        sessions[session.course_id].append(session)
    courses = Course.objects.filter(is_active=True).select_related("prerequisite").order_by("title")
    return [CatalogueEntry(course, sessions.get(course.pk, [])) for course in courses]


def session_detail(session_id: int) -> Session:
    """One session with its course, days, quotas and teachers; 404 if there is none."""
    sessions = Session.objects.select_related("course", "course__prerequisite").prefetch_related(
        "days", "quotas__district", "teachers"
    )
    return get_object_or_404(sessions, pk=session_id)


def own_registration(user: User, session: Session) -> Registration | None:
    """The user's registration for ``session`` that is not cancelled, if any."""
    return (
        Registration.objects.filter(session=session, user=user)
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )


def waiting_position(registration: Registration) -> int | None:
    """The place on the waiting list by time of registration (1 = first), or None."""
    if registration.status != RegistrationStatus.WAITING:
        return None
    return Registration.objects.filter(
        session_id=registration.session_id,
        status=RegistrationStatus.WAITING,
        created_at__lte=registration.created_at,
    ).count()


@dataclass
class RequirementState:
    course: Course
    state: str  # VALID, EXPIRED or MISSING
    valid_until: date | None


def requirements_of(user: User, *, on: date | None = None) -> list[RequirementState]:
    """What the user's roles require of them, and where they stand on each."""
    day = on or timezone.localdate()
    completions: dict[int, list[Completion]] = defaultdict(list)
    for completion in Completion.objects.filter(user=user, completed_on__lte=day):
        completions[completion.course_id].append(completion)
    result = []
    for course in required_courses(user, on=day).order_by("title"):
        mine = completions.get(course.pk, [])
        valid = [c for c in mine if c.valid_on(day)]
        if valid:
            until = (
                None
                if any(c.valid_until is None for c in valid)
                else max(c.valid_until for c in valid if c.valid_until)
            )
            result.append(RequirementState(course, VALID, until))
        elif mine:
            until = max((c.valid_until for c in mine if c.valid_until), default=None)
            result.append(RequirementState(course, EXPIRED, until))
        else:
            result.append(RequirementState(course, MISSING, None))
    return result


@dataclass
class AttendanceSheet:
    session: Session
    days: list[SessionDay]
    rows: list[tuple[Registration, list[tuple[SessionDay, bool]]]]


def attendance_sheet(session: Session) -> AttendanceSheet:
    """The participants holding a seat, and which days each was checked in (three queries)."""
    days = list(session.days.order_by("starts_at"))
    registrations = list(
        Registration.objects.filter(session=session, status__in=sorted(CHECK_IN_STATUSES))
        .select_related("user", "unit")
        .order_by("user__full_name", "pk")
    )
    present = set(
        Attendance.objects.filter(registration__session=session).values_list(
            "registration_id", "day_id"
        )
    )
    rows = [(r, [(d, (r.pk, d.pk) in present) for d in days]) for r in registrations]
    return AttendanceSheet(session, days, rows)
