"""Registration, the waiting list, offers, attendance and completion (services)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from vejud.audit.models import AuditEvent
from vejud.core.errors import ConflictError
from vejud.organisations.models import Agency
from vejud.testing.training import make_course, make_session, make_staff
from vejud.training.models import Completion, Registration, RegistrationStatus, SessionStatus
from vejud.training.services import (
    accept_offer,
    add_months,
    cancel,
    check_in,
    completion_record,
    offers_expire,
    register,
)

S = RegistrationStatus
pytestmark = pytest.mark.django_db


def _status(registration: Registration) -> str:
    registration.refresh_from_db()
    return registration.status


def test_seats_then_waiting_list_and_the_session_full(world):
    session = make_session(world, make_course(world), capacity=2)
    staff = make_staff(world.unit_a, 3)
    first, second, third = (register(actor=u, session=session) for u in staff)
    assert [first.status, second.status, third.status] == [S.REGISTERED, S.REGISTERED, S.WAITING]
    session.refresh_from_db()
    assert (session.seats_taken, session.status) == (2, SessionStatus.FULL)
    with pytest.raises(ConflictError, match="full"):
        register(actor=world.member_a, session=session, waitlist=False)
    with pytest.raises(ConflictError, match="already registered"):
        register(actor=staff[0], session=session)
    assert AuditEvent.objects.filter(action="training.register").count() == 3


def test_a_quota_caps_its_agency_and_counts_against_the_capacity(world):
    session = make_session(world, make_course(world), capacity=3, quotas=[(Agency.POLICE, None, 1)])
    police = make_staff(world.unit_a, 2, agency=Agency.POLICE, prefix="pol")
    municipal = make_staff(world.unit_a, 3, agency=Agency.MUNICIPALITY, prefix="mun")
    assert register(actor=police[0], session=session).status == S.REGISTERED
    assert register(actor=police[1], session=session).status == S.WAITING  # quota used
    assert [register(actor=u, session=session).status for u in municipal] == [
        S.REGISTERED,
        S.REGISTERED,
        S.WAITING,
    ]
    session.refresh_from_db()
    assert session.seats_taken == 3
    assert session.quotas.get().seats_taken == 1


def test_who_registers_whom(world):
    session = make_session(world, make_course(world))
    assert register(actor=world.coordinator_a, session=session, participant=world.member_a)
    assert register(actor=world.adviser, session=session, participant=world.member_b)
    for actor, participant in [
        (world.coordinator_b, world.mentor),  # another unit's staff
        (world.member_a, world.coordinator_a),  # a member registers only themself
    ]:
        with pytest.raises(PermissionDenied):
            register(actor=actor, session=session, participant=participant)
    with pytest.raises(PermissionDenied):
        register(actor=world.analyst, session=session)


def test_deadline_and_prerequisite(world):
    basic = make_course(world)
    advanced = make_course(world, prerequisite=basic)
    session = make_session(world, advanced)
    with pytest.raises(ValidationError, match="must be completed first"):
        register(actor=world.member_a, session=session)
    completion_record(
        actor=world.adviser, user=world.member_a, course=basic, completed_on=timezone.localdate()
    )
    assert register(actor=world.member_a, session=session).status == S.REGISTERED
    late = timezone.now() + timedelta(days=40)
    with pytest.raises(ValidationError, match="deadline"):
        register(actor=world.member_b, session=session, now=late)


def test_cancelling_offers_the_seat_to_the_unit_with_the_lowest_trained_share(world):
    course = make_course(world)
    session = make_session(world, course, capacity=1)
    holder = register(actor=world.member_a, session=session)
    # Unit A's coordinator registered first, but unit A is half trained; unit B is not.
    a_waits = register(actor=world.coordinator_a, session=session)
    b_waits = register(actor=world.member_b, session=session)
    completion_record(
        actor=world.adviser, user=world.member_a, course=course, completed_on=date(2025, 1, 1)
    )
    cancel(actor=world.member_a, registration=holder)
    assert _status(holder) == S.CANCELLED
    assert _status(b_waits) == S.OFFERED
    assert _status(a_waits) == S.WAITING
    b_waits.refresh_from_db()
    hours = (b_waits.offer_expires_at - b_waits.offered_at).total_seconds() / 3600
    assert hours == 48
    session.refresh_from_db()
    assert session.seats_taken == 1  # the offer holds the seat


def test_equal_shares_go_by_time_of_registration(world):
    session = make_session(world, make_course(world), capacity=1)
    holder = register(actor=world.member_a, session=session)
    early = register(actor=world.member_b, session=session)
    late = register(actor=world.coordinator_b, session=session)
    cancel(actor=world.adviser, registration=holder)
    assert (_status(early), _status(late)) == (S.OFFERED, S.WAITING)


def test_an_offer_is_accepted_in_time_or_passes_on(world):
    session = make_session(world, make_course(world), capacity=1)
    holder = register(actor=world.member_a, session=session)
    first = register(actor=world.member_b, session=session)
    second = register(actor=world.coordinator_b, session=session)
    t0 = timezone.now()
    cancel(actor=world.member_a, registration=holder, now=t0)
    assert _status(first) == S.OFFERED
    # Too late: refused even before the worker has run.
    with pytest.raises(ValidationError, match="expired"):
        accept_offer(actor=world.member_b, registration=first, now=t0 + timedelta(hours=49))
    assert offers_expire(now=t0 + timedelta(hours=47)) == 0
    assert offers_expire(now=t0 + timedelta(hours=49)) == 1
    first.refresh_from_db()
    assert (first.status, first.cancel_reason) == (S.CANCELLED, "offer_expired")
    assert _status(second) == S.OFFERED
    accept_offer(actor=world.coordinator_b, registration=second, now=t0 + timedelta(hours=50))
    assert _status(second) == S.REGISTERED
    session.refresh_from_db()
    assert session.seats_taken == 1
    assert AuditEvent.objects.filter(action="training.offer", actor_id=None).count() == 1


def test_a_worker_stopped_for_three_days_catches_up(world):
    session = make_session(world, make_course(world), capacity=2)
    holders = [register(actor=u, session=session) for u in (world.member_a, world.coordinator_a)]
    waiting = [register(actor=u, session=session) for u in make_staff(world.unit_b, 3)]
    t0 = timezone.now()
    for holder in holders:
        cancel(actor=holder.user, registration=holder, now=t0)
    assert [_status(r) for r in waiting] == [S.OFFERED, S.OFFERED, S.WAITING]
    # The worker was down; it runs three days later, once.
    later = t0 + timedelta(days=3)
    assert offers_expire(now=later) == 2
    assert [_status(r) for r in waiting] == [S.CANCELLED, S.CANCELLED, S.OFFERED]
    last = waiting[2]
    last.refresh_from_db()
    # The new offer gets its full time from when it is made, not from the old expiry.
    assert last.offered_at == later
    assert last.offer_expires_at == later + timedelta(hours=48)
    accept_offer(actor=last.user, registration=last, now=later + timedelta(hours=47))
    assert _status(last) == S.REGISTERED
    assert offers_expire(now=later + timedelta(days=5)) == 0


def test_attendance_every_day_completes_with_validity(world):
    course = make_course(world, validity_months=36)
    session = make_session(world, course, days=2, teachers=[world.member_b])
    registration = register(actor=world.member_a, session=session)
    day1, day2 = session.days.all()
    on1, on2 = day1.starts_at, day2.starts_at
    with pytest.raises(PermissionDenied):
        check_in(actor=world.coordinator_a, registration=registration, day=day1, now=on1)
    check_in(actor=world.member_b, registration=registration, day=day1, now=on1)
    assert _status(registration) == S.ATTENDED
    with pytest.raises(ConflictError):
        check_in(actor=world.member_b, registration=registration, day=day1, now=on1)
    check_in(actor=world.adviser, registration=registration, day=day2, now=on2)
    assert _status(registration) == S.COMPLETED
    completion = Completion.objects.get(registration=registration)
    assert completion.completed_on == timezone.localdate(day2.starts_at)
    assert completion.valid_until == add_months(completion.completed_on, 36)


def test_waiting_people_are_not_checked_in(world):
    session = make_session(world, make_course(world), capacity=1)
    register(actor=world.member_a, session=session)
    waiting = register(actor=world.member_b, session=session)
    day = session.days.get()
    with pytest.raises(ValidationError) as refused:
        check_in(actor=world.adviser, registration=waiting, day=day, now=day.starts_at)
    assert refused.value.code == "status"


def test_no_one_is_checked_in_before_the_day(world):
    session = make_session(world, make_course(world), days=2, teachers=[world.member_b])
    registration = register(actor=world.member_a, session=session)
    day1, day2 = session.days.all()
    with pytest.raises(ValidationError) as refused:
        check_in(actor=world.member_b, registration=registration, day=day1)
    assert refused.value.code == "day"
    assert "has not come yet" in refused.value.messages[0]
    # On the first day, its check-in is taken; the second day's is not, not yet.
    check_in(actor=world.member_b, registration=registration, day=day1, now=day1.starts_at)
    with pytest.raises(ValidationError):
        check_in(actor=world.member_b, registration=registration, day=day2, now=day1.ends_at)
    assert registration.attendances.count() == 1


def test_add_months():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 36) == date(2029, 11, 15)
