"""100 simultaneous registrations for 20 seats: exactly 20 registered, 80 waiting, and the
agency quota respected (PostgreSQL row locking on the session)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from vejud.audit.models import AuditEvent
from vejud.audit.services import verify_chain
from vejud.organisations.models import Agency
from vejud.training.models import Registration, RegistrationStatus, Session

REGISTRANTS = 100
SEATS = 20
POLICE_QUOTA = 8
# The shared server allows 100 connections: the 100 threads start together and reach the
# database through at most this many connections at once, as requests through a pool would.
CONNECTIONS = 40


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_hundred_simultaneous_registrations_for_twenty_seats():
    if connection.vendor != "postgresql":
        pytest.skip("row locking under real concurrency is tested on PostgreSQL")
    from vejud.access.rules import scope_for
    from vejud.testing import make_world
    from vejud.testing.training import make_course, make_session, make_staff

    world = make_world()
    session = make_session(
        world, make_course(world), capacity=SEATS, quotas=[(Agency.POLICE, None, POLICE_QUOTA)]
    )
    staff = [
        *make_staff(world.unit_a, 25, agency=Agency.POLICE, prefix="pa"),
        *make_staff(world.unit_b, 25, agency=Agency.POLICE, prefix="pb"),
        *make_staff(world.unit_a, 25, agency=Agency.MUNICIPALITY, prefix="ma"),
        *make_staff(world.unit_b, 25, agency=Agency.KRIMINALFORSORGEN, prefix="kb"),
    ]
    for user in staff:
        scope_for(user)  # each thread's user arrives with its scope, as after login
    audit_before = AuditEvent.objects.count()
    barrier = threading.Barrier(REGISTRANTS)
    gate = threading.BoundedSemaphore(CONNECTIONS)
    results: dict[int, str] = {}
    lock = threading.Lock()

    def attempt(user) -> None:
        from vejud.training.services import register

        try:
            barrier.wait(timeout=60)
            with gate:
                try:
                    outcome = register(actor=user, session=Session(pk=session.pk)).status
                except Exception as exc:  # anything is a failure of the test
                    outcome = f"error: {type(exc).__name__}: {exc}"
                finally:
                    connections.close_all()
            with lock:
                results[user.pk] = outcome
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(u,)) for u in staff]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    assert len(results) == REGISTRANTS
    errors = [r for r in results.values() if r.startswith("error")]
    assert not errors, errors[:5]
    outcomes = list(results.values())
    assert outcomes.count(RegistrationStatus.REGISTERED) == SEATS
    assert outcomes.count(RegistrationStatus.WAITING) == REGISTRANTS - SEATS

    rows = Registration.objects.filter(session_id=session.pk)
    assert rows.filter(status=RegistrationStatus.REGISTERED).count() == SEATS
    assert rows.filter(status=RegistrationStatus.WAITING).count() == REGISTRANTS - SEATS
    police = rows.filter(status=RegistrationStatus.REGISTERED, agency=Agency.POLICE).count()
    assert police <= POLICE_QUOTA
    session.refresh_from_db()
    assert session.seats_taken == SEATS
    assert session.quotas.get().seats_taken == police
    assert session.status == "full"
    assert AuditEvent.objects.count() - audit_before == REGISTRANTS
    assert verify_chain().ok
