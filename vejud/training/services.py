"""Writes for training: catalogue, sessions, registrations, the waiting list, attendance.

Every function is keyword-only, atomic and audited in the same transaction, and checks the
actor's permission through ``vejud.access.training``. Every change of who holds a seat locks
the session's row first (PostgreSQL ``SELECT ... FOR UPDATE``; SQLite serialises writers),
then its quotas, and checks capacity and quotas under that lock; the running totals are also
bounded by check constraints, so no code path can hand out a seat too many.

A freed seat goes to the waiting list at once: the next in line (units with the lowest
trained share of the course first, then time of registration) is offered it, and the offer
holds the seat for ``VEJUD_TRAINING_OFFER_HOURS``. ``offers_expire`` (the background task)
cancels offers not accepted in time and passes their seats on; each new offer gets its full
time from when it is made, however long the worker was stopped, and an offer past its time
can no longer be accepted even before the worker has run.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vejud.access.rules import Capability, require
from vejud.access.training import (
    may_manage_registration,
    may_register_for,
    may_take_attendance,
    sees_all_training,
    trainee_membership,
)
from vejud.accounts.models import User
from vejud.audit.services import audit_record, audited, audited_service, snapshot
from vejud.core.errors import ConflictError
from vejud.core.records import save_fields
from vejud.organisations.models import Agency, PoliceDistrict
from vejud.training.models import (
    Attendance,
    CancelReason,
    Completion,
    Course,
    Quota,
    Registration,
    RegistrationStatus,
    Session,
    SessionDay,
    SessionStatus,
)
from vejud.training.selectors import CHECK_IN_STATUSES, trained_shares

REGISTRABLE = frozenset({SessionStatus.OPEN, SessionStatus.FULL})
CANCELLABLE = frozenset(
    {RegistrationStatus.REGISTERED, RegistrationStatus.WAITING, RegistrationStatus.OFFERED}
)
QuotaSpec = tuple[str, PoliceDistrict | None, int]  # (agency or "", district or None, seats)


def add_months(day: date, months: int) -> date:
    """Return ``day`` ``months`` later (the last day of a shorter month where it lacks the day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _valid_until(course: Course, completed_on: date) -> date | None:
    """Return the last day a completion of ``course`` on ``completed_on`` counts (None: always)."""
    if not course.validity_months:
        return None
    return add_months(completed_on, course.validity_months)


def _now(now: datetime | None) -> datetime:
    return now if now is not None else timezone.now()


def _require_manager(actor: User) -> None:
    require(actor, Capability.MANAGE_TRAINING)
    if not sees_all_training(actor):
        raise PermissionDenied(_("Only the National Exit Contact Point can do this."))


def _audit(actor: User | None, action: str, obj: object, changes: dict[str, object]) -> None:
    audit_record(actor=actor, action=action, obj=obj, changes=changes)  # type: ignore[arg-type]


# --- Catalogue and sessions ------------------------------------------------------------------


@audited_service
def course_create(
    *,
    actor: User,
    code: str,
    kind: str,
    title: str,
    description: str = "",
    target_agencies: Sequence[str] = (),
    target_roles: Sequence[str] = (),
    duration_days: int = 1,
    prerequisite: Course | None = None,
    required_for_roles: Sequence[str] = (),
    validity_months: int | None = None,
) -> Course:
    """Add a course or theme day to the catalogue (the national contact point)."""
    _require_manager(actor)
    course = Course(
        code=code,
        kind=kind,
        title=title,
        description=description,
        target_agencies=sorted(target_agencies),
        target_roles=sorted(target_roles),
        duration_days=duration_days,
        prerequisite=prerequisite,
        required_for_roles=sorted(required_for_roles),
        validity_months=validity_months,
    )
    course.full_clean()
    try:
        with transaction.atomic():  # a savepoint: the code was taken a moment ago
            course.save(force_insert=True)
    except IntegrityError as exc:
        raise ConflictError(_("A course with this code exists."), code="code") from exc
    _audit(actor, "training.course_create", course, snapshot(course))
    return course


@audited_service
def session_create(
    *,
    actor: User,
    course: Course,
    place: str,
    capacity: int,
    registration_deadline: datetime,
    days: Sequence[tuple[datetime, datetime]],
    online: bool = False,
    quotas: Iterable[QuotaSpec] = (),
    teachers: Iterable[User] = (),
    status: str = SessionStatus.OPEN,
) -> Session:
    """Plan a session of ``course`` with its days, capacity, quotas and teachers."""
    _require_manager(actor)
    if not days:
        raise ValidationError(_("A session has at least one day."), code="days")
    if capacity < 1:
        raise ValidationError(_("The capacity must be at least 1."), code="capacity")
    session = Session(
        course=course,
        place=place,
        online=online,
        capacity=capacity,
        registration_deadline=registration_deadline,
        status=status,
        created_by=actor,
    )
    session.save()
    for starts_at, ends_at in sorted(days):
        if ends_at <= starts_at:
            raise ValidationError(_("A day ends after it starts."), code="days")
        SessionDay.objects.create(session=session, starts_at=starts_at, ends_at=ends_at)
    for agency, district, seats in quotas:
        if seats < 0 or seats > capacity:
            raise ValidationError(_("A quota is between 0 and the capacity."), code="quota")
        Quota.objects.create(session=session, agency=agency, district=district, seats=seats)
    session.teachers.set(list(teachers))
    _audit(
        actor,
        "training.session_create",
        session,
        {
            **snapshot(session),
            "days": [[a.isoformat(), b.isoformat()] for a, b in days],
            "quotas": [[a, d.pk if d else None, n] for a, d, n in quotas],
            "teachers": sorted(t.pk for t in session.teachers.all()),
        },
    )
    return session


@audited_service
def session_set_status(*, actor: User, session: Session, status: str) -> Session:
    """Mark a session planned, open, held or cancelled (cancelling cancels every registration)."""
    _require_manager(actor)
    locked = Session.objects.select_for_update().get(pk=session.pk)
    before = locked.status
    if status == SessionStatus.CANCELLED:
        now = timezone.now()
        for registration in locked.registrations.select_for_update().filter(
            status__in=sorted(CANCELLABLE)
        ):
            _cancel(locked, registration, CancelReason.SESSION_CANCELLED, now, actor)
    locked.status = status
    locked.save(update_fields=["status"])
    _audit(actor, "training.session_status", locked, {"status": [before, status]})
    return locked


# --- Seats -----------------------------------------------------------------------------------


def _lock(session: Session) -> tuple[Session, list[Quota]]:
    """Lock the session's row, then its quotas (always in this order)."""
    locked = Session.objects.select_for_update().select_related("course").get(pk=session.pk)
    quotas = list(Quota.objects.select_for_update().filter(session=locked).order_by("pk"))
    locked._locked_quotas = quotas  # type: ignore[attr-defined]
    return locked, quotas


def _quotas_of(session: Session) -> list[Quota]:
    return list(getattr(session, "_locked_quotas", []))


def _applicable(quotas: list[Quota], registration: Registration) -> list[Quota]:
    return [
        q
        for q in quotas
        if q.applies_to(agency=registration.agency, district_id=registration.district_id)
    ]


def _seat_free(session: Session, registration: Registration) -> bool:
    if session.seats_taken >= session.capacity:
        return False
    return all(q.seats_taken < q.seats for q in _applicable(_quotas_of(session), registration))


def _count_seat(session: Session, registration: Registration, seats: int) -> None:
    """Count ``seats`` (1 taken, -1 freed) on the session and on the quotas the registration uses."""
    counters: list[Session | Quota] = [session, *_applicable(_quotas_of(session), registration)]
    for counter in counters:
        save_fields(counter, seats_taken=counter.seats_taken + seats)


def _take_seat(session: Session, registration: Registration) -> None:
    _count_seat(session, registration, 1)


def _free_seat(session: Session, registration: Registration) -> None:
    _count_seat(session, registration, -1)


def _update_fullness(session: Session) -> None:
    status = session.status
    if status == SessionStatus.OPEN and session.seats_taken >= session.capacity:
        status = SessionStatus.FULL
    elif status == SessionStatus.FULL and session.seats_taken < session.capacity:
        status = SessionStatus.OPEN
    if status != session.status:
        save_fields(session, status=status)


def _first_start(session: Session) -> datetime | None:
    day = SessionDay.objects.filter(session=session).order_by("starts_at").first()
    return day.starts_at if day is not None else None


def _offer_free_seats(session: Session, now: datetime, actor: User | None) -> list[Registration]:
    """Offer the locked session's free seats to the waiting list, best placed first."""
    first = _first_start(session)
    if session.status not in REGISTRABLE or first is None or first <= now:
        return []
    waiting = list(
        Registration.objects.select_for_update()
        .filter(session=session, status=RegistrationStatus.WAITING)
        .order_by("created_at", "pk")
    )
    if not waiting or session.seats_taken >= session.capacity:
        return []
    shares = trained_shares(session.course, sorted({r.unit_id for r in waiting}))
    waiting.sort(key=lambda r: (shares.get(r.unit_id, 0.0), r.created_at, r.pk))
    expires = min(now + timedelta(hours=settings.VEJUD_TRAINING_OFFER_HOURS), first)
    offered = []
    for registration in waiting:
        if not _seat_free(session, registration):
            continue
        _take_seat(session, registration)
        save_fields(
            registration,
            status=RegistrationStatus.OFFERED,
            offered_at=now,
            offer_expires_at=expires,
        )
        _audit(
            actor,
            "training.offer",
            registration,
            {"status": ["waiting", "offered"], "offer_expires_at": expires.isoformat()},
        )
        offered.append(registration)
    _update_fullness(session)
    return offered


def _seats_freed(session: Session, now: datetime, actor: User | None) -> None:
    """Open the locked session again if it has room, and offer the free seats on."""
    _update_fullness(session)
    _offer_free_seats(session, now, actor)


def _cancel(
    session: Session, registration: Registration, reason: str, now: datetime, actor: User | None
) -> None:
    before = registration.status
    if registration.holds_seat:
        _free_seat(session, registration)
    save_fields(
        registration, status=RegistrationStatus.CANCELLED, cancel_reason=reason, cancelled_at=now
    )
    _audit(
        actor, "training.cancel", registration, {"status": [before, "cancelled"], "reason": reason}
    )


# --- Registration ----------------------------------------------------------------------------


def _check_registrable(session: Session, participant: User, agency: str, now: datetime) -> None:
    if session.status not in REGISTRABLE:
        raise ValidationError(_("This session does not take registrations."), code="closed")
    if now > session.registration_deadline:
        raise ValidationError(_("The registration deadline has passed."), code="deadline")
    course = session.course
    if course.target_agencies and agency not in course.target_agencies:
        raise ValidationError(
            _("This course is not offered to %(agency)s.") % {"agency": Agency(agency).label},
            code="agency",
        )
    if course.prerequisite_id is not None and not has_valid_completion(
        participant, course.prerequisite_id, timezone.localdate(now)
    ):
        raise ValidationError(
            _("%(course)s must be completed first.") % {"course": course.prerequisite},
            code="prerequisite",
        )


def has_valid_completion(user: User, course_id: int, day: date) -> bool:
    """Return True if ``user`` holds a completion of the course valid on ``day``."""
    return any(c.valid_on(day) for c in Completion.objects.filter(user=user, course_id=course_id))


@audited_service
def register(
    *,
    actor: User,
    session: Session,
    participant: User | None = None,
    waitlist: bool = True,
    now: datetime | None = None,
) -> Registration:
    """Register ``participant`` (default: the actor) for ``session``: a seat if one is free
    within the capacity and the participant's quotas, else the waiting list (or, with
    ``waitlist`` False, refused as full)."""
    participant = participant or actor
    now = _now(now)
    if not may_register_for(actor, participant):
        raise PermissionDenied(_("You cannot register this person."))
    membership = trainee_membership(participant, on=timezone.localdate(now))
    if membership is None:
        raise ValidationError(_("Only staff working with exit cases take training."), code="staff")
    locked, _quotas = _lock(session)
    _check_registrable(locked, participant, membership.agency, now)
    registration = Registration(
        session=locked,
        user=participant,
        unit=membership.unit,
        agency=membership.agency,
        district=membership.unit.police_district,
        registered_by=actor,
        created_at=now,
    )
    if _seat_free(locked, registration):
        registration.status = RegistrationStatus.REGISTERED
    elif waitlist:
        registration.status = RegistrationStatus.WAITING
    else:
        raise ConflictError(_("The session is full."), code="full")
    try:
        with transaction.atomic():  # a savepoint: the participant registered a moment ago
            registration.save(force_insert=True)
    except IntegrityError as exc:
        raise ConflictError(
            _("%(name)s is already registered for this session.") % {"name": participant.full_name},
            code="registered",
        ) from exc
    if registration.status == RegistrationStatus.REGISTERED:
        _take_seat(locked, registration)
        _update_fullness(locked)
    _audit(actor, "training.register", registration, snapshot(registration))
    return registration


def _locked_registration(registration: Registration) -> tuple[Session, Registration]:
    session, _quotas = _lock(registration.session)
    return session, Registration.objects.select_for_update().get(pk=registration.pk)


@audited_service
def cancel(*, actor: User, registration: Registration, now: datetime | None = None) -> Registration:
    """Cancel a registration, a place on the waiting list or an offer; a freed seat is offered
    to the next in line at once."""
    now = _now(now)
    if not may_manage_registration(actor, registration):
        raise PermissionDenied(_("You cannot change this registration."))
    session, locked = _locked_registration(registration)
    if locked.status not in CANCELLABLE:
        raise ValidationError(_("This registration can no longer be cancelled."), code="status")
    held = locked.holds_seat
    _cancel(session, locked, CancelReason.PARTICIPANT, now, actor)
    if held:
        _seats_freed(session, now, actor)
    return locked


@audited_service
def accept_offer(
    *, actor: User, registration: Registration, now: datetime | None = None
) -> Registration:
    """Accept an offered seat before the offer expires."""
    now = _now(now)
    if not may_manage_registration(actor, registration):
        raise PermissionDenied(_("You cannot change this registration."))
    _session, locked = _locked_registration(registration)
    if locked.status != RegistrationStatus.OFFERED:
        raise ValidationError(_("There is no offer to accept."), code="no_offer")
    assert locked.offer_expires_at is not None
    if locked.offer_expires_at <= now:
        raise ValidationError(_("The offer has expired."), code="expired")
    save_fields(locked, status=RegistrationStatus.REGISTERED)
    _audit(actor, "training.accept", locked, {"status": ["offered", "registered"]})
    return locked


def offers_expire(*, now: datetime | None = None) -> int:
    """Cancel every offer past its time and offer the seats on (the background task).

    Each session is handled in its own audited transaction under its lock; an offer made
    here holds its seat for the full time from ``now``. Returns how many offers expired.
    """
    now = _now(now)
    session_ids = sorted(
        set(
            Registration.objects.filter(
                status=RegistrationStatus.OFFERED, offer_expires_at__lte=now
            ).values_list("session_id", flat=True)
        )
    )
    expired = 0
    for session_id in session_ids:
        with audited():
            session, _quotas = _lock(Session(pk=session_id))
            due = list(
                Registration.objects.select_for_update()
                .filter(
                    session=session, status=RegistrationStatus.OFFERED, offer_expires_at__lte=now
                )
                .order_by("offer_expires_at", "pk")
            )
            for registration in due:
                _cancel(session, registration, CancelReason.OFFER_EXPIRED, now, None)
            expired += len(due)
            _seats_freed(session, now, None)
    return expired


# --- Attendance and completion ---------------------------------------------------------------


@audited_service
def check_in(
    *, actor: User, registration: Registration, day: SessionDay, now: datetime | None = None
) -> Attendance:
    """Check a participant in on one day; every day attended completes the course."""
    now = _now(now)
    if not may_take_attendance(actor, registration.session):
        raise PermissionDenied(_("Only the session's teachers take its attendance."))
    if day.session_id != registration.session_id:
        raise ValidationError(_("That day is not a day of this session."), code="day")
    if timezone.localdate(day.starts_at) > timezone.localdate(now):
        raise ValidationError(
            _("%(day)s has not come yet: check people in on the day itself.")
            % {"day": date_format(timezone.localdate(day.starts_at), "SHORT_DATE_FORMAT")},
            code="day",
        )
    _session, locked = _locked_registration(registration)
    if locked.status not in CHECK_IN_STATUSES:
        raise ValidationError(_("Only registered participants are checked in."), code="status")
    attendance = Attendance(registration=locked, day=day, checked_in_by=actor, checked_in_at=now)
    try:
        with transaction.atomic():
            attendance.save(force_insert=True)
    except IntegrityError as exc:
        raise ConflictError(_("Already checked in on this day."), code="checked_in") from exc
    _audit(actor, "training.check_in", attendance, snapshot(attendance))
    _complete_if_all_days(actor, locked, now)
    return attendance


def _complete_if_all_days(actor: User, registration: Registration, now: datetime) -> None:
    days = SessionDay.objects.filter(session_id=registration.session_id).count()
    attended = Attendance.objects.filter(registration=registration).count()
    before = registration.status
    if attended < days:
        registration.status = RegistrationStatus.ATTENDED
    elif before != RegistrationStatus.COMPLETED:
        registration.status = RegistrationStatus.COMPLETED
        last = SessionDay.objects.filter(session_id=registration.session_id).last()
        completed_on = timezone.localdate(last.starts_at) if last else timezone.localdate(now)
        course = registration.session.course
        completion = Completion.objects.create(
            user_id=registration.user_id,
            course=course,
            registration=registration,
            completed_on=completed_on,
            valid_until=_valid_until(course, completed_on),
            recorded_by=actor,
            recorded_at=now,
        )
        _audit(actor, "training.complete", completion, snapshot(completion))
    if registration.status != before:
        registration.save(update_fields=["status"])
        _audit(actor, "training.attend", registration, {"status": [before, registration.status]})


@audited_service
def completion_record(*, actor: User, user: User, course: Course, completed_on: date) -> Completion:
    """Record a completion made outside a session (e.g. before the system), by the national
    contact point."""
    _require_manager(actor)
    completion = Completion.objects.create(
        user=user,
        course=course,
        completed_on=completed_on,
        valid_until=_valid_until(course, completed_on),
        recorded_by=actor,
    )
    _audit(actor, "training.completion_record", completion, snapshot(completion))
    return completion
