"""The training pages: what each role gets, the flows, query counts on the list pages."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vejud.testing import verified_client
from vejud.testing.training import make_course, make_session, make_staff
from vejud.training.models import Registration, RegistrationStatus
from vejud.training.services import check_in, completion_record, register

S = RegistrationStatus
pytestmark = pytest.mark.django_db


@pytest.fixture
def course_world(world):
    course = make_course(world, title="Basic exit course", required_for_roles=["unit_member"])
    session = make_session(world, course, capacity=2, days=2, teachers=[world.member_b])
    return world, course, session


def _url(name, **kwargs):
    return reverse(f"training:{name}", kwargs=kwargs)


def test_register_from_the_session_page_then_cancel(course_world):
    world, _course, session = course_world
    client = verified_client(world.member_a)
    page = client.get(_url("session", session_id=session.pk))
    assert page.status_code == 200 and b"You are not registered." in page.content
    response = client.post(_url("register", session_id=session.pk))
    assert response.status_code == 302
    registration = Registration.objects.get(user=world.member_a)
    assert registration.status == S.REGISTERED
    page = client.get(_url("session", session_id=session.pk))
    assert b"Cancel my registration" in page.content
    client.post(_url("cancel", registration_id=registration.pk))
    registration.refresh_from_db()
    assert registration.status == S.CANCELLED


@pytest.mark.parametrize("who", ["member_a", "coordinator_a"])
def test_cancelling_a_registration_asks_first(course_world, who):
    """The session page's cancel is a link: its page asks, only its POST button cancels."""
    world, _course, session = course_world
    registration = register(actor=world.member_a, session=session)
    client = verified_client(getattr(world, who))
    url = _url("cancel", registration_id=registration.pk)
    session_page = client.get(_url("session", session_id=session.pk)).content.decode()
    assert f'href="{url}"' in session_page
    assert f'action="{url}"' not in session_page

    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<form method="post" action="{url}"' in html
    assert "Yes, cancel the registration" in html and "Basic exit course" in html
    registration.refresh_from_db()
    assert registration.status == S.REGISTERED

    client.post(url)
    registration.refresh_from_db()
    assert registration.status == S.CANCELLED


def test_a_coordinator_registers_their_staff_and_not_others(course_world):
    world, _course, session = course_world
    client = verified_client(world.coordinator_a)
    client.post(_url("register", session_id=session.pk), {"participant": world.member_a.pk})
    assert Registration.objects.filter(user=world.member_a).exists()
    client.post(_url("register", session_id=session.pk), {"participant": world.member_b.pk})
    assert not Registration.objects.filter(user=world.member_b).exists()


def test_other_unit_404_wrong_role_403(course_world):
    world, _course, session = course_world
    registration = register(actor=world.member_a, session=session)
    for name in ("calendar", "cancel", "accept"):
        url = _url(name, registration_id=registration.pk)
        method = "get" if name == "calendar" else "post"
        assert getattr(verified_client(world.member_b), method)(url).status_code == 404
        assert getattr(verified_client(world.coordinator_b), method)(url).status_code == 404
        assert getattr(verified_client(world.analyst), method)(url).status_code == 403
    attendance = _url("attendance", session_id=session.pk)
    assert verified_client(world.member_a).get(attendance).status_code == 404  # not a teacher
    assert verified_client(world.member_b).get(attendance).status_code == 200  # the teacher
    assert verified_client(world.auditor).get(attendance).status_code == 403
    assert verified_client(world.analyst).get(_url("catalogue")).status_code == 403
    assert verified_client(world.member_a).get(_url("coverage")).status_code == 403


def test_attendance_check_in_completes_and_gives_a_certificate(course_world):
    world, _course, session = course_world
    registration = register(actor=world.member_a, session=session)
    url = _url("attendance", session_id=session.pk)
    for day in session.days.all():
        with time_machine.travel(day.starts_at, tick=False):
            teacher = verified_client(world.member_b)  # signed in on the day
            page = teacher.get(url)
            assert b"Member A" in page.content
            teacher.post(url, {"registration": registration.pk, "day": day.pk})
    registration.refresh_from_db()
    assert registration.status == S.COMPLETED
    pdf = verified_client(world.member_a).get(_url("certificate", registration_id=registration.pk))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    ics = verified_client(world.coordinator_a).get(
        _url("calendar", registration_id=registration.pk)
    )
    body = ics.content.decode()
    assert body.startswith("BEGIN:VCALENDAR") and body.count("BEGIN:VEVENT") == 2
    assert "SUMMARY:Basic exit course" in body


def test_the_certificate_is_404_before_completion(course_world):
    world, _course, session = course_world
    registration = register(actor=world.member_a, session=session)
    response = verified_client(world.member_a).get(
        _url("certificate", registration_id=registration.pk)
    )
    assert response.status_code == 404


def test_my_training_shows_what_the_role_requires(course_world):
    world, course, _session = course_world
    client = verified_client(world.member_a)
    page = client.get(_url("mine"))
    assert b"Missing" in page.content
    completion_record(
        actor=world.adviser, user=world.member_a, course=course, completed_on=date(2020, 1, 1)
    )
    page = client.get(_url("mine"))
    assert b"Expired" in page.content


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_pages_take_a_fixed_number_of_queries(course_world):
    world, _course, session = course_world
    client = verified_client(world.adviser)
    urls = [
        _url("catalogue"),
        _url("mine"),
        _url("coverage"),
        _url("session", session_id=session.pk),
        _url("attendance", session_id=session.pk),
    ]
    for url in urls:  # the session's first request loads more (scope, device)
        client.get(url)
    before = [_queries(client, url) for url in urls]
    more = make_course(world)
    for _ in range(3):
        extra = make_session(world, more, capacity=3, days=2)
        for user in make_staff(world.unit_a, 2, prefix=f"q{extra.pk}"):
            r = register(actor=user, session=session)
            register(actor=user, session=extra)
            completion_record(
                actor=world.adviser, user=user, course=more, completed_on=date(2026, 1, 1)
            )
            if r.status == S.REGISTERED:
                day = session.days.first()
                check_in(actor=world.adviser, registration=r, day=day, now=day.starts_at)
    after = [_queries(client, url) for url in urls]
    assert after == before, list(zip(urls, before, after, strict=True))
