"""The national contact point's pages: a course, a session, a session's status (issue 16).
Each creates or changes what it says, through the page, audited; other roles get 403."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from vejud.audit.models import AuditEvent
from vejud.testing import verified_client
from vejud.testing.training import make_course, make_session
from vejud.training.models import Course, Registration, RegistrationStatus, Session, SessionStatus
from vejud.training.services import register

pytestmark = pytest.mark.django_db


def _url(name, **kwargs):
    return reverse(f"training:{name}", kwargs=kwargs)


def _audited(action, obj):
    return AuditEvent.objects.filter(action=action, object_id=str(obj.pk)).count()


def test_the_catalogue_links_the_pages_for_the_contact_point_only(world):
    course = make_course(world)
    links = (_url("course_new"), _url("session_new"), f"{_url('session_new')}?course={course.pk}")
    page = verified_client(world.adviser).get(_url("catalogue")).content.decode()
    assert all(f'href="{link}"' in page for link in links)
    for user in (world.member_a, world.coordinator_a):
        page = verified_client(user).get(_url("catalogue")).content.decode()
        assert not any(link in page for link in links[:2])


def test_a_course_is_created_through_its_page(world):
    prerequisite = make_course(world)
    client = verified_client(world.adviser)
    assert client.get(_url("course_new")).status_code == 200
    response = client.post(
        _url("course_new"),
        {
            "code": "motiverende-samtale",
            "kind": "course",
            "title": "Motivational interviewing",
            "description": "Two days.",
            "target_agencies": ["police", "municipality"],
            "target_roles": ["unit_member"],
            "duration_days": "2",
            "prerequisite": prerequisite.pk,
            "required_for_roles": ["unit_member"],
            "validity_months": "36",
        },
    )
    assert response.status_code == 302
    course = Course.objects.get(code="motiverende-samtale")
    assert course.title == "Motivational interviewing" and course.duration_days == 2
    assert course.target_agencies == ["municipality", "police"]
    assert course.prerequisite == prerequisite and course.validity_months == 36
    assert course.required_for_roles == ["unit_member"]
    assert _audited("training.course_create", course) == 1
    again = client.post(
        _url("course_new"), {"code": "motiverende-samtale", "kind": "course", "title": "Again"}
    )
    assert again.status_code in (200, 409) and b"form-error" in again.content
    assert Course.objects.filter(code="motiverende-samtale").count() == 1


def test_a_session_is_created_through_its_page(world):
    course = make_course(world, duration_days=2)
    on = timezone.localdate() + timedelta(days=40)
    client = verified_client(world.adviser)
    page = client.get(f"{_url('session_new')}?course={course.pk}")
    assert page.status_code == 200 and f'value="{course.pk}" selected' in page.content.decode()
    response = client.post(
        _url("session_new"),
        {
            "course": course.pk,
            "place": "Rigspolitiet, København",
            "capacity": "20",
            "registration_deadline": (on - timedelta(days=7)).isoformat(),
            "days": f"{on} 09:00-15:00\n{on + timedelta(days=1)} 9.30-14:00",
            "quotas": "police: 5\ntest-a: 3",
            "teachers": [world.member_b.pk],
            "status": "planned",
        },
    )
    session = Session.objects.get(course=course)
    assert response.status_code == 302 and response["Location"] == _url(
        "session", session_id=session.pk
    )
    assert session.capacity == 20 and session.status == SessionStatus.PLANNED
    assert [timezone.localtime(d.starts_at).time() for d in session.days.all()] == [
        time(9, 0),
        time(9, 30),
    ]
    assert timezone.localtime(session.registration_deadline) == timezone.make_aware(
        datetime.combine(on - timedelta(days=7), time(23, 59))
    )
    quotas = {
        (q.agency, q.district.code if q.district else "", q.seats) for q in session.quotas.all()
    }
    assert quotas == {("police", "", 5), ("", "test-a", 3)}
    assert list(session.teachers.all()) == [world.member_b]
    assert _audited("training.session_create", session) == 1


def test_a_session_page_with_bad_lines_says_which(world):
    course = make_course(world)
    response = verified_client(world.adviser).post(
        _url("session_new"),
        {
            "course": course.pk,
            "place": "Online",
            "capacity": "5",
            "registration_deadline": "2030-01-01",
            "days": "tomorrow morning",
            "quotas": "nowhere: 3",
            "status": "open",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "tomorrow morning" in body and "nowhere: 3" in body and "form-error-message" in body
    assert not Session.objects.filter(course=course).exists()


def test_a_session_status_is_changed_through_its_page(world):
    session = make_session(world, make_course(world), capacity=5)
    registration = register(actor=world.member_a, session=session)
    client = verified_client(world.adviser)
    page = client.get(_url("session", session_id=session.pk)).content.decode()
    assert _url("session_status", session_id=session.pk) in page
    response = client.post(_url("session_status", session_id=session.pk), {"status": "cancelled"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    assert _audited("training.session_status", session) == 1
    member_page = verified_client(world.member_a).get(_url("session", session_id=session.pk))
    assert _url("session_status", session_id=session.pk) not in member_page.content.decode()


def test_only_the_contact_point_gets_the_pages(world):
    session = make_session(world, make_course(world), capacity=5)
    status = _url("session_status", session_id=session.pk)
    for user in (world.member_a, world.coordinator_a, world.analyst, world.auditor):
        client = verified_client(user)
        assert client.get(_url("course_new")).status_code == 403
        assert client.post(_url("course_new"), {"code": "x", "kind": "course"}).status_code == 403
        assert client.get(_url("session_new")).status_code == 403
        assert client.post(status, {"status": "cancelled"}).status_code == 403
    session.refresh_from_db()
    assert session.status == SessionStatus.OPEN
    assert (
        verified_client(world.adviser)
        .post(_url("session_status", session_id=session.pk + 1000), {"status": "held"})
        .status_code
        == 404
    )
    assert not Registration.objects.exists()
