"""Demo training (issue 16): a catalogue and a year of sessions, through the services.

Nine months back and three ahead: held sessions with attendance and completions (and a few
who missed a day), coming sessions open for registration, one full with a waiting list and
an offer waiting for an answer, one with a police quota, one still planned; completions from
before the system, some of them expired. Made once: nothing is added when a course exists.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from vejud.accounts.models import Role, User
from vejud.organisations.models import Agency
from vejud.training.models import Course, CourseKind, Registration, Session, SessionStatus
from vejud.training.services import (
    cancel,
    check_in,
    completion_record,
    course_create,
    has_valid_completion,
    register,
    session_create,
    session_set_status,
)

PLACES = {
    "kbh": "Rigspolitiet, Polititorvet 14, 1780 København V",
    "aarhus": "Østjyllands Politi, Ridderstræde 1, 8000 Aarhus C",
    "odense": "Fyns Politi, Thomas B. Thriges Gade 22, 5000 Odense C",
    "kriminalforsorgen": "Direktoratet for Kriminalforsorgen, Strandgade 100, 1401 København K",
}


@dataclass(frozen=True)
class _CourseSpec:
    code: str
    kind: str
    title: str
    description: str
    days: int
    validity: int | None
    required: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    prerequisite: str = ""


COURSES = (
    _CourseSpec(
        "grundkursus",
        CourseKind.COURSE,
        "Grundkursus i exitarbejde",
        "Rammemodellen En Vej Ud, visitationen og de tre instrumenter, exitaftalen og "
        "samarbejdet mellem politi, kommune og Kriminalforsorgen.",
        2,
        36,
        required=(Role.UNIT_MEMBER, Role.UNIT_COORDINATOR, Role.CUSTODY_STAFF),
    ),
    _CourseSpec(
        "motiverende-samtale",
        CourseKind.COURSE,
        "Motiverende samtale i exitforløb",
        "Samtaleteknik, ydre og indre motivation, frygtbåret motivation og motivationsdyk.",
        2,
        36,
        prerequisite="grundkursus",
    ),
    _CourseSpec(
        "beskyttet-adresse",
        CourseKind.COURSE,
        "Beskyttet adresse og sikkerhed",
        "Navne- og adressebeskyttelse, trusselsvurdering og hvem der må se hvad.",
        1,
        24,
        required=(Role.UNIT_COORDINATOR,),
    ),
    _CourseSpec(
        "god-loesladelse",
        CourseKind.COURSE,
        "Exit i Kriminalforsorgen og god løsladelse",
        "Exit i fængsel og arresthus, mentorordningen og planlægning af løsladelsen.",
        1,
        36,
        agencies=(Agency.KRIMINALFORSORGEN, Agency.MUNICIPALITY),
    ),
    _CourseSpec(
        "temadag-bandebilledet",
        CourseKind.THEME_DAY,
        "Temadag: Bandebilledet i dag",
        "Grupperinger, rekruttering og den naturlige afgang fra miljøerne.",
        1,
        None,
    ),
    _CourseSpec(
        "temadag-mentor",
        CourseKind.THEME_DAY,
        "Temadag: Mentorrollen",
        "Den stabile voksne: kontinuitet, grænser og brobygning.",
        1,
        None,
        roles=(Role.MENTOR,),
    ),
)

# (course code, days from today, place, capacity, how many register)
HELD = (
    ("grundkursus", -250, "kbh", 12, 11),
    ("temadag-bandebilledet", -200, "odense", 30, 14),
    ("beskyttet-adresse", -150, "kbh", 10, 8),
    ("grundkursus", -120, "aarhus", 12, 9),
    ("god-loesladelse", -90, "kriminalforsorgen", 10, 6),
    ("motiverende-samtale", -60, "aarhus", 10, 6),
)
COMING = (
    ("grundkursus", 21, "kbh", 4, 7),  # full: a waiting list and an offer
    ("beskyttet-adresse", 35, "odense", 8, 5),
    ("motiverende-samtale", 49, "kbh", 6, 4),  # a police quota
    ("temadag-bandebilledet", 63, "aarhus", 40, 9),
    ("temadag-mentor", 80, "kbh", 15, 2),
    ("god-loesladelse", 95, "kriminalforsorgen", 10, 0),  # planned, not yet open
)


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _trainees(staff: dict[str, User]) -> list[User]:
    skip = ("analyst", "admin", "auditor")
    return [user for key, user in sorted(staff.items()) if key not in skip]


class _TrainingSeeder:
    def __init__(self, staff: dict[str, User], rng: random.Random, today: date) -> None:
        self.staff = staff
        self.adviser = staff["adviser"]
        self.rng = rng
        self.today = today
        self.trainees = _trainees(staff)
        self.courses: dict[str, Course] = {}

    def catalogue(self) -> None:
        for spec in COURSES:
            self.courses[spec.code] = course_create(
                actor=self.adviser,
                code=spec.code,
                kind=spec.kind,
                title=spec.title,
                description=spec.description,
                duration_days=spec.days,
                validity_months=spec.validity,
                required_for_roles=spec.required,
                target_agencies=spec.agencies,
                target_roles=spec.roles,
                prerequisite=self.courses.get(spec.prerequisite),
            )

    def earlier_completions(self) -> None:
        """Basic courses taken before the system: every other coordinator, some long ago."""
        coordinators = [u for k, u in sorted(self.staff.items()) if k.startswith("coordinator.")]
        for i, user in enumerate(coordinators[::2]):
            years = 4 if i % 2 == 0 else 2  # four years ago: expired (valid for three)
            completion_record(
                actor=self.adviser,
                user=user,
                course=self.courses["grundkursus"],
                completed_on=self.today.replace(day=1) - timedelta(days=365 * years),
            )

    def _session(self, code: str, offset: int, place: str, capacity: int) -> Session:
        course = self.courses[code]
        first = self.today + timedelta(days=offset)
        quotas = [(Agency.POLICE, None, 3)] if code == "motiverende-samtale" and offset > 0 else []
        return session_create(
            actor=self.adviser,
            course=course,
            place=PLACES[place],
            capacity=capacity,
            registration_deadline=_at(first - timedelta(days=10), 12),
            days=[
                (_at(first + timedelta(days=i), 9), _at(first + timedelta(days=i), 15))
                for i in range(course.duration_days)
            ],
            quotas=quotas,
            teachers=[self.adviser],
        )

    def _eligible(self, session: Session) -> list[User]:
        course = session.course
        if course.prerequisite_id is None:
            return list(self.trainees)
        day = self.today + timedelta(days=-90)
        return [u for u in self.trainees if has_valid_completion(u, course.prerequisite_id, day)]

    def _register(self, session: Session, count: int, when: datetime) -> list[Registration]:
        candidates = self._eligible(session)
        self.rng.shuffle(candidates)
        made: list[Registration] = []
        for user in candidates:
            if len(made) == count:
                break
            try:
                made.append(
                    register(actor=self.adviser, session=session, participant=user, now=when)
                )
            except ValidationError:  # e.g. a course not offered to this user's agency
                continue
        return made

    def held(self) -> None:
        for code, offset, place, capacity, count in HELD:
            session = self._session(code, offset, place, capacity)
            when = _at(self.today + timedelta(days=offset - 30), 10)
            registrations = self._register(session, count, when)
            days = list(session.days.all())
            for n, registration in enumerate(registrations):
                present = days if n % 7 != 3 else days[:-1]  # some miss a day
                for day in present:
                    check_in(
                        actor=self.adviser,
                        registration=registration,
                        day=day,
                        now=day.starts_at + timedelta(minutes=5),
                    )
            session_set_status(actor=self.adviser, session=session, status=SessionStatus.HELD)

    def coming(self) -> None:
        now = timezone.now()
        for code, offset, place, capacity, count in COMING:
            session = self._session(code, offset, place, capacity)
            if count == 0:
                session_set_status(
                    actor=self.adviser, session=session, status=SessionStatus.PLANNED
                )
                continue
            registrations = self._register(session, count, now - timedelta(days=3))
            if capacity < count:  # the full one: a seat freed, its offer awaits an answer
                cancel(
                    actor=self.adviser, registration=registrations[0], now=now - timedelta(hours=5)
                )


def seed_training(staff: dict[str, User], *, seed: int = 1) -> list[str]:
    """Seed the training catalogue and a year of sessions; return the lines to print."""
    if Course.objects.exists():
        return ["Training: courses exist already; no training data added."]
    seeder = _TrainingSeeder(staff, random.Random(seed), timezone.localdate())
    seeder.catalogue()
    seeder.earlier_completions()
    seeder.held()
    seeder.coming()
    return [
        f"Training: {Course.objects.count()} courses, {Session.objects.count()} sessions, "
        f"{Registration.objects.count()} registrations (one session full with a waiting list)"
    ]
