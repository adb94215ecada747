"""Test builders for training: courses, sessions and staff, through the services."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from vejud.accounts.models import Role, User
from vejud.organisations.models import Agency, Unit
from vejud.testing import World, make_user
from vejud.training.models import Course, CourseKind, Session
from vejud.training.services import QuotaSpec, course_create, session_create

_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def make_course(world: World, **kwargs: Any) -> Course:
    """A one-day course valid three years (override any field)."""
    n = _next()
    fields: dict[str, Any] = {
        "code": f"test-course-{n}",
        "kind": CourseKind.COURSE,
        "title": f"Test course {n}",
        "description": "Exit work for beginners.",
        "validity_months": 36,
    }
    fields.update(kwargs)
    return course_create(actor=world.adviser, **fields)


def make_session(
    world: World,
    course: Course,
    *,
    capacity: int = 20,
    days: int = 1,
    start: datetime | None = None,
    quotas: list[QuotaSpec] | None = None,
    teachers: list[User] | None = None,
    deadline: datetime | None = None,
) -> Session:
    """A session ``days`` days long starting in 30 days at 09:00 (Copenhagen), 09-15 each day."""
    first = start or timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=30), datetime.min.time())
    ) + timedelta(hours=9)
    return session_create(
        actor=world.adviser,
        course=course,
        place="Rigspolitiet, Polititorvet 14, København",
        capacity=capacity,
        registration_deadline=deadline or first - timedelta(days=7),
        days=[(first + timedelta(days=i), first + timedelta(days=i, hours=6)) for i in range(days)],
        quotas=quotas or [],
        teachers=teachers or [],
    )


def make_staff(
    unit: Unit, n: int, *, agency: str = Agency.POLICE, prefix: str = "staff"
) -> list[User]:
    """``n`` unit members of ``unit`` from ``agency``."""
    return [
        make_user(
            f"{prefix}-{unit.code}-{i}@test.vejud.dk",
            f"{prefix.title()} {unit.code} {i}",
            unit,
            Role.UNIT_MEMBER,
            agency,
        )
        for i in range(n)
    ]
