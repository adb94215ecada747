"""Training through the API (issue 16): the catalogue, sessions, registrations (register,
cancel, accept an offer), attendance and coverage, under /training/.

Same services and rules as the pages (``vejud.training.views``): a registration is opened
by ``RegistrationGate`` (403 without the role, 404 alike for one that does not exist and one
that is not the caller's to see) and an attendance list by ``TeacherGate`` (its teachers
and the national contact point), both before the body is read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status

from vejud.access.rules import Capability
from vejud.access.training import (
    coverage_reach,
    registration_for,
    registrations_visible_to,
    session_for_teacher,
    staff_registrable_by,
)
from vejud.accounts.models import User
from vejud.api.auth import api_user
from vejud.api.gates import CapabilityGate, ObjectGate, opened_object
from vejud.api.operations import READ_ERRORS, WRITE_ERRORS
from vejud.api.routers.course import field_error
from vejud.api.schemas import ErrorOut, IdPath
from vejud.api.schemas_training import (
    TrainingAttendanceOut,
    TrainingCheckInIn,
    TrainingCourseIn,
    TrainingCourseListOut,
    TrainingCourseOut,
    TrainingCoverageOut,
    TrainingRegistrationIn,
    TrainingRegistrationListOut,
    TrainingRegistrationOut,
    TrainingSessionDetailOut,
    TrainingSessionIn,
    TrainingSessionListOut,
    TrainingSessionStatusIn,
)
from vejud.organisations.models import PoliceDistrict
from vejud.training import services
from vejud.training.models import Course, Registration, Session
from vejud.training.selectors import (
    CourseCoverage,
    attendance_sheet,
    coverage,
    session_detail,
    upcoming_sessions,
)

router = Router(tags=["training"])

TRAINS = CapabilityGate(Capability.TAKE_TRAINING)
COVERAGE = CapabilityGate(Capability.VIEW_TRAINING_COVERAGE)
MANAGES = CapabilityGate(Capability.MANAGE_TRAINING)
# A registration the caller sees.
REGISTRATION = ObjectGate(
    Capability.TAKE_TRAINING, "registration_id", registration_for, "training_registration"
)
# A session the caller teaches (or any, for the national contact point).
TEACHER = ObjectGate(
    Capability.TAKE_TRAINING, "session_id", session_for_teacher, "training_teacher"
)


def _registration(pk: int) -> Registration:
    return Registration.objects.select_related("user", "unit").get(pk=pk)


def _registration_step(request: HttpRequest, step: Callable[..., Registration]) -> Registration:
    """Take ``step`` (a training service) as the caller on the registration the gate opened."""
    done = step(actor=api_user(request), registration=opened_object(request, Registration))
    return _registration(done.pk)


@TRAINS.route(
    router.get,
    "/training/courses",
    {200: TrainingCourseListOut, 401: ErrorOut, 403: ErrorOut},
    "training_courses",
    "List the training catalogue",
)
def courses(request: HttpRequest) -> Any:
    """The active courses and theme days."""
    return {"items": Course.objects.filter(is_active=True).order_by("title")}


@TRAINS.route(
    router.get,
    "/training/sessions",
    {200: TrainingSessionListOut, 401: ErrorOut, 403: ErrorOut},
    "training_sessions",
    "List the coming sessions",
)
def sessions(request: HttpRequest) -> Any:
    """Sessions not cancelled whose last day has not ended, soonest first."""
    return {"items": upcoming_sessions()}


@TRAINS.route(
    router.get,
    "/training/sessions/{session_id}",
    {200: TrainingSessionDetailOut, **READ_ERRORS},
    "training_session",
    "Show a session",
)
def session(request: HttpRequest, session_id: int = IdPath) -> Any:
    """Days, place, capacity, free seats, quotas, deadline, teachers and status."""
    return session_detail(session_id)


def _participant(actor: User, email: str | None) -> User:
    if email is None:
        return actor
    found = staff_registrable_by(actor).filter(email__iexact=email.strip()).first()
    if found is None:
        raise field_error(
            "participant_email", _("Unknown participant, or not one you may register.")
        )
    return found


@TRAINS.route(
    router.post,
    "/training/sessions/{session_id}/registrations",
    {201: TrainingRegistrationOut, **WRITE_ERRORS},
    "training_register",
    "Register for a session (or join its waiting list)",
)
def registration_new(
    request: HttpRequest, payload: TrainingRegistrationIn, session_id: int = IdPath
) -> Status[Any]:
    """A seat if one is free within the capacity and the participant's quotas, else the
    waiting list (409 ``full`` with ``waitlist`` false); 409 ``registered`` if already."""
    actor = api_user(request)
    registration = services.register(
        actor=actor,
        session=get_object_or_404(Session, pk=session_id),
        participant=_participant(actor, payload.participant_email),
        waitlist=payload.waitlist,
    )
    return Status(201, _registration(registration.pk))


@TRAINS.route(
    router.get,
    "/training/registrations",
    {200: TrainingRegistrationListOut, 401: ErrorOut, 403: ErrorOut},
    "training_registrations",
    "List the registrations you may see",
)
def registrations(request: HttpRequest) -> Any:
    """Your own; a coordinator also their unit's; the national contact point all."""
    items = (
        registrations_visible_to(api_user(request))
        .select_related("user", "unit")
        .order_by("-created_at", "-pk")
    )
    return {"items": items}


@REGISTRATION.route(
    router.get,
    "/training/registrations/{registration_id}",
    {200: TrainingRegistrationOut, **READ_ERRORS},
    "training_registration",
    "Show a registration",
)
def registration(request: HttpRequest, registration_id: int = IdPath) -> Any:
    """One registration with its status (and the offer's expiry)."""
    return opened_object(request, Registration)


@REGISTRATION.route(
    router.post,
    "/training/registrations/{registration_id}/cancellation",
    {200: TrainingRegistrationOut, **WRITE_ERRORS},
    "training_cancel",
    "Cancel a registration, a place on the waiting list or an offer",
)
def registration_cancel(request: HttpRequest, registration_id: int = IdPath) -> Any:
    """A freed seat is offered to the next in line at once; 422 if already ended."""
    return _registration_step(request, services.cancel)


@REGISTRATION.route(
    router.post,
    "/training/registrations/{registration_id}/acceptance",
    {200: TrainingRegistrationOut, **WRITE_ERRORS},
    "training_accept",
    "Accept an offered seat",
)
def registration_accept(request: HttpRequest, registration_id: int = IdPath) -> Any:
    """422 if there is no offer or it has expired."""
    return _registration_step(request, services.accept_offer)


def _sheet(session: Session) -> dict[str, Any]:
    sheet = attendance_sheet(session)
    return {
        "session_id": session.pk,
        "days": sheet.days,
        "rows": [
            {"registration": r, "days_present": [d.pk for d, present in marks if present]}
            for r, marks in sheet.rows
        ],
    }


@TEACHER.route(
    router.get,
    "/training/sessions/{session_id}/attendance",
    {200: TrainingAttendanceOut, **READ_ERRORS},
    "training_attendance",
    "Show a session's attendance list",
)
def attendance(request: HttpRequest, session_id: int = IdPath) -> Any:
    """The participants holding a seat and the days each was checked in."""
    return _sheet(opened_object(request, Session))


@TEACHER.route(
    router.post,
    "/training/sessions/{session_id}/attendance",
    {200: TrainingAttendanceOut, **WRITE_ERRORS},
    "training_check_in",
    "Check a participant in on one day",
)
def attendance_check_in(
    request: HttpRequest, payload: TrainingCheckInIn, session_id: int = IdPath
) -> Any:
    """Every day attended completes the course; 409 if already checked in that day."""
    session = opened_object(request, Session)
    registration = Registration.objects.filter(pk=payload.registration_id, session=session).first()
    day = session.days.filter(pk=payload.day_id).first()
    if registration is None:
        raise field_error("registration_id", _("Not a registration of this session."))
    if day is None:
        raise field_error("day_id", _("Not a day of this session."))
    services.check_in(actor=api_user(request), registration=registration, day=day)
    return _sheet(session)


def _counts(label: str, counts: Any) -> dict[str, Any]:
    return {
        "label": label,
        **{k: getattr(counts, k) for k in ("staff", "trained", "expired", "missing")},
    }


def _course_out(cov: CourseCoverage, names: bool) -> dict[str, Any]:
    return {
        "course_id": cov.course.pk,
        "course_title": cov.course.title,
        "total": _counts("", cov.total),
        "by_agency": [_counts(label, c) for label, c in cov.agency_rows()],
        "by_district": [_counts(label, c) for label, c in cov.district_rows()],
        "by_unit": [_counts(label, c) for label, c in cov.unit_rows()],
        "attention": [
            {"name": p.full_name, "unit": p.unit_name, "state": state, "valid_until": until}
            for p, state, until in cov.attention
        ]
        if names
        else None,
    }


@COVERAGE.route(
    router.get,
    "/training/coverage",
    {200: TrainingCoverageOut, 401: ErrorOut, 403: ErrorOut},
    "training_coverage",
    "Show who is trained, per course, agency, district and unit",
)
def training_coverage(request: HttpRequest) -> Any:
    """The coordinator: their unit, by name; the national contact point: all, by name; the
    analyst: all, counts only (``attention`` null)."""
    reach = coverage_reach(api_user(request))
    return {
        "all_units": reach.all_units,
        "names": reach.names,
        "items": [_course_out(cov, reach.names) for cov in coverage(reach)],
    }


# --- The catalogue and sessions, run by the national contact point ---------------------------


@MANAGES.route(
    router.post,
    "/training/courses",
    {201: TrainingCourseOut, **WRITE_ERRORS},
    "training_course_add",
    "Add a course or theme day to the catalogue",
)
def course_new(request: HttpRequest, payload: TrainingCourseIn) -> Status[Any]:
    """422 if the code is taken or the prerequisite is unknown."""
    prerequisite = None
    if payload.prerequisite_id is not None:
        prerequisite = Course.objects.filter(pk=payload.prerequisite_id).first()
        if prerequisite is None:
            raise field_error("prerequisite_id", _("Unknown course."))
    data = payload.model_dump(exclude={"prerequisite_id"})
    course = services.course_create(actor=api_user(request), prerequisite=prerequisite, **data)
    return Status(201, course)


def _moment(day: Any, clock: str) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.fromisoformat(clock)))


def _quotas(payload: TrainingSessionIn) -> list[services.QuotaSpec]:
    quotas: list[services.QuotaSpec] = []
    for quota in payload.quotas:
        if (quota.agency is None) == (quota.district_code is None):
            raise field_error("quotas", _("A quota names an agency or a police district."))
        district = None
        if quota.district_code is not None:
            district = PoliceDistrict.objects.filter(code=quota.district_code).first()
            if district is None:
                raise field_error("quotas", _("Unknown police district."))
        quotas.append((quota.agency or "", district, quota.seats))
    return quotas


def _teachers(emails: list[str]) -> list[User]:
    teachers = list(User.objects.filter(email__in=[e.lower() for e in emails], is_active=True))
    if len(teachers) != len({e.lower() for e in emails}):
        raise field_error("teacher_emails", _("Unknown teacher."))
    return teachers


@MANAGES.route(
    router.post,
    "/training/sessions",
    {201: TrainingSessionDetailOut, **WRITE_ERRORS},
    "training_session_add",
    "Plan a session of a course",
)
def session_new(request: HttpRequest, payload: TrainingSessionIn) -> Status[Any]:
    """Days in Copenhagen time; registration closes at the end of ``registration_deadline``."""
    course = Course.objects.filter(pk=payload.course_id).first()
    if course is None:
        raise field_error("course_id", _("Unknown course."))
    created = services.session_create(
        actor=api_user(request),
        course=course,
        place=payload.place,
        online=payload.online,
        capacity=payload.capacity,
        registration_deadline=_moment(payload.registration_deadline, "23:59"),
        days=[(_moment(d.on, d.starts), _moment(d.on, d.ends)) for d in payload.days],
        quotas=_quotas(payload),
        teachers=_teachers(payload.teacher_emails),
        status=payload.status.value,
    )
    return Status(201, session_detail(created.pk))


@MANAGES.route(
    router.post,
    "/training/sessions/{session_id}/status",
    {200: TrainingSessionDetailOut, **WRITE_ERRORS},
    "training_session_status",
    "Open, hold or cancel a session (cancelling cancels its registrations)",
)
def session_status(
    request: HttpRequest, payload: TrainingSessionStatusIn, session_id: int = IdPath
) -> Any:
    """Set the session's status."""
    found = get_object_or_404(Session, pk=session_id)
    services.session_set_status(actor=api_user(request), session=found, status=payload.status.value)
    return session_detail(found.pk)
