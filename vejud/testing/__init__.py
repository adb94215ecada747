"""The standard cast for tests: units of each kind and a user for every role.

Data is created through the real services wherever a service exists.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from vejud.accounts.decorators import REAUTH_AT_KEY
from vejud.accounts.models import AuthenticatorDevice, Membership, Role, User
from vejud.assessments.models import CriteriaVersion, MotivationFactor, Programme
from vejud.assessments.reference import load_assessment_reference
from vejud.assessments.services import (
    criteria_evaluate,
    criteria_in_force,
    instrument_sign,
    motivation_save,
    programme_for_case,
    suitability_save,
    target_group_save,
)
from vejud.cases.models import Case, Track
from vejud.cases.services import case_open, case_transition
from vejud.courses.models import OPEN_ACTION_STATUSES, PlanAction
from vejud.courses.services import agreement_save
from vejud.decisions.services import unit_decision_record
from vejud.followup.models import Review
from vejud.intake.services import consent_record
from vejud.offers.models import OfferType
from vejud.offers.reference import load_offer_types
from vejud.organisations.models import Agency, InstitutionType, PoliceDistrict, Unit, UnitKind
from vejud.people.models import Person
from vejud.people.services import person_create

PASSWORD = "correct horse battery staple"  # noqa: S105 (test-only password)


@dataclass
class World:
    national: Unit
    unit_a: Unit
    unit_b: Unit
    dfk: Unit
    prison: Unit
    users: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


CAST: dict[str, tuple[str, Role, str]] = {
    # name: (unit attribute, role, agency)
    "member_a": ("unit_a", Role.UNIT_MEMBER, Agency.MUNICIPALITY),
    "coordinator_a": ("unit_a", Role.UNIT_COORDINATOR, Agency.POLICE),
    "member_b": ("unit_b", Role.UNIT_MEMBER, Agency.POLICE),
    "coordinator_b": ("unit_b", Role.UNIT_COORDINATOR, Agency.POLICE),
    "adviser": ("national", Role.NATIONAL_ADVISER, Agency.NATIONAL),
    "decision_maker": ("national", Role.NATIONAL_DECISION_MAKER, Agency.NATIONAL),
    "head": ("national", Role.NATIONAL_HEAD, Agency.NATIONAL),
    "custody": ("prison", Role.CUSTODY_STAFF, Agency.KRIMINALFORSORGEN),
    "mentor": ("unit_a", Role.MENTOR, Agency.MUNICIPALITY),
    "analyst": ("national", Role.ANALYST, Agency.NATIONAL),
    "sysadmin": ("national", Role.SYSTEM_ADMINISTRATOR, Agency.NATIONAL),
    "auditor": ("national", Role.AUDITOR, Agency.NATIONAL),
}


def make_user(
    email: str,
    full_name: str,
    unit: Unit | None = None,
    role: Role | None = None,
    agency: str = Agency.POLICE,
    password: str = PASSWORD,
) -> User:
    """Create a user, optionally with one active membership."""
    # Test users read English (see the root conftest); the product's default is Danish.
    user = User.objects.create_user(email, password, full_name=full_name, language="en")
    if role == Role.SYSTEM_ADMINISTRATOR:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    if unit is not None and role is not None:
        Membership.objects.create(
            user=user, unit=unit, role=role, agency=agency, valid_from=date(2020, 1, 1)
        )
    return user


def ensure_reference_data() -> None:
    """Reload the reference data the migrations ship, if a flush emptied it.

    A transactional test (browser, concurrency) ends with a flush of every table, so tests
    that run after it on the same worker would otherwise find no criteria or catalogue.
    """
    if not Programme.objects.exists() or not OfferType.objects.exists():
        load_assessment_reference(Programme, CriteriaVersion, MotivationFactor, Unit)
        load_offer_types(OfferType)


def make_world() -> World:
    """Create units A and B, the national point, DfK with one prison, and the cast of users."""
    ensure_reference_data()
    district_a, _ = PoliceDistrict.objects.get_or_create(name="Test District A", code="test-a")
    district_b, _ = PoliceDistrict.objects.get_or_create(name="Test District B", code="test-b")
    national = Unit.objects.filter(kind=UnitKind.NATIONAL).first() or Unit.objects.create(
        name="Test National Exit Contact Point", code="test-national", kind=UnitKind.NATIONAL
    )
    unit_a = Unit.objects.create(
        name="Test Exit Unit A", code="test-unit-a", kind=UnitKind.LOCAL, police_district=district_a
    )
    unit_b = Unit.objects.create(
        name="Test Exit Unit B", code="test-unit-b", kind=UnitKind.LOCAL, police_district=district_b
    )
    dfk = Unit.objects.create(name="Test DfK", code="test-dfk", kind=UnitKind.DFK)
    prison = Unit.objects.create(
        name="Test Prison",
        code="test-prison",
        kind=UnitKind.INSTITUTION,
        institution_type=InstitutionType.STATE_PRISON_CLOSED,
        parent=dfk,
    )
    world = World(national=national, unit_a=unit_a, unit_b=unit_b, dfk=dfk, prison=prison)
    for name, (unit_attr, role, agency) in CAST.items():
        world.users[name] = make_user(
            f"{name}@test.vejud.dk",
            name.replace("_", " ").title(),
            getattr(world, unit_attr),
            role,
            agency,
        )
    world.users["nobody"] = make_user("nobody@test.vejud.dk", "No Membership")
    return world


def make_person(actor: User, **kwargs: Any) -> Person:
    """Register a person through the service (defaults give a valid, unique person)."""
    defaults: dict[str, Any] = {
        "first_name": "Test",
        "last_name": "Person",
        "birth_date": date(1995, 5, 17),
    }
    defaults.update(kwargs)
    return person_create(actor=actor, **defaults)


def make_case(
    actor: User,
    unit: Unit,
    *,
    person: Person | None = None,
    track: str = Track.LIBERTY,
    institution: Unit | None = None,
    **person_kwargs: Any,
) -> Case:
    """Open a case (and register its person if none is given) through the services."""
    if person is None:
        person = make_person(actor, **person_kwargs)
    return case_open(actor=actor, person=person, unit=unit, track=track, institution=institution)


def end_case(actor: User, case: Case) -> Case:
    """Withdraw an open case (at inquiry or assessment), so its person may get another."""
    return case_transition(actor=actor, case=case, target="withdrawn", reason="Ended.")


def make_ended_case(actor: User, unit: Unit, *, person: Person, **kwargs: Any) -> Case:
    """Open a case for ``person`` and withdraw it at once: an earlier attempt (a person has
    at most one open case, so a second one is opened only after the first has ended)."""
    return end_case(actor, make_case(actor, unit, person=person, **kwargs))


def verified_client(user: User, client: Client | None = None) -> Client:
    """Return a client logged in as ``user`` with a verified TOTP device (MFA passed)."""
    client = client or Client()
    device, _ = AuthenticatorDevice.objects.get_or_create(
        user=user, name="default", defaults={"confirmed": True}
    )
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def reauthed_client(user: User) -> Client:
    """Return a verified client that has just re-entered its password (past ``reauth_required``)."""
    client = verified_client(user)
    session = client.session
    session[REAUTH_AT_KEY] = time.time()
    session.save()
    return client


def give_consent(actor: User, case: Case, agencies: list[str] | None = None) -> Any:
    """Record a consent covering all agencies (or the given ones) through the service."""
    return consent_record(
        actor=actor,
        case=case,
        given_on=case.opened_on,
        method="in_person",
        agencies=agencies or ["police", "municipality", "kriminalforsorgen", "national"],
        topics=["crime", "social", "safety"],
    )


def sign_all_instruments(actor: User, case: Case, *, motivated: bool = True) -> dict[str, Any]:
    """Fill in and sign the three instruments through the services."""
    programme = programme_for_case(case)
    assert programme is not None
    version = criteria_in_force(programme, on=case.opened_on)
    assert version is not None
    answers = {
        code: {"met": True, "note": "checked"}
        for code in criteria_evaluate(case, version, on=case.opened_on)
    }
    answers.update({q["code"]: {"met": True, "note": ""} for q in version.questions})
    tg = target_group_save(
        actor=actor,
        case=case,
        criteria_version=version,
        answers=answers,
        reasoning="Within the target group.",
    )
    mot = motivation_save(
        actor=actor,
        case=case,
        push_factors=["disillusion"],
        pull_factors=["fatherhood"],
        own_explanation="Wants a life with his child.",
        help_wishes=["work_education"],
        motivation_kind="inner",
        level=4 if motivated else 1,
        reasoning="Clear inner motivation.",
    )
    suit = suitability_save(
        actor=actor,
        case=case,
        **dict.fromkeys(
            ("leaving_clarity", "lifestyle_clarity", "steps_taken", "will_and_ability"), 4
        ),
        **{
            f"{c}_reasoning": "Shown in the talks."
            for c in ("leaving_clarity", "lifestyle_clarity", "steps_taken", "will_and_ability")
        },
        judgement="suitable",
        reasoning="Suitable.",
    )
    return {
        "target_group": instrument_sign(actor=actor, instrument=tg),
        "motivation": instrument_sign(actor=actor, instrument=mot),
        "suitability": instrument_sign(actor=actor, instrument=suit),
    }


def make_assessed_case(world: World, **kwargs: Any) -> Case:
    """Return a unit A case in assessment with consent and all three instruments signed."""
    case = make_case(world.coordinator_a, world.unit_a, attachment="member", **kwargs)
    give_consent(world.member_a, case)
    case = case_transition(actor=world.member_a, case=case, target="assessment")
    sign_all_instruments(world.member_a, case)
    case.refresh_from_db()
    return case


def make_admitted_case(world: World, **kwargs: Any) -> Case:
    """Return a unit A case admitted to an exit course, with an exit agreement starting today."""
    from django.utils import timezone

    case = make_assessed_case(world, **kwargs)
    unit_decision_record(
        actor=world.coordinator_a, case=case, outcome="admit", reasoning="Admitted."
    )
    case.refresh_from_db()
    agreement_save(
        actor=world.member_a,
        case=case,
        parties=["person", "police", "municipality"],
        starts_on=timezone.localdate(),
        expected_months=12,
    )
    case.refresh_from_db()
    return case


def course_dates_from_rows(case_ids: list[int]) -> dict[int, tuple[date | None, date | None]]:
    """Return what ``Case.review_from`` and ``Case.action_due_on`` should hold, from the rows.

    Recomputed in Python from the reviews and plan actions, to check the stored dates.
    """

    started = dict(Case.objects.filter(id__in=case_ids).values_list("id", "course_started_on"))
    latest: dict[int, date] = {}
    for case_id, day in Review.objects.filter(case_id__in=case_ids).values_list(
        "case_id", "reviewed_on"
    ):
        latest[case_id] = max(day, latest.get(case_id, day))
    due: dict[int, date] = {}
    for case_id, day, status, owner in PlanAction.objects.filter(case_id__in=case_ids).values_list(
        "case_id", "deadline", "status", "owner_id"
    ):
        if owner is None and status in OPEN_ACTION_STATUSES:
            due[case_id] = min(day, due.get(case_id, day))
    return {pk: (latest.get(pk, start), due.get(pk)) for pk, start in started.items()}


def stored_course_dates(case_ids: list[int]) -> dict[int, tuple[date | None, date | None]]:
    """Return ``Case.review_from`` and ``Case.action_due_on`` as stored, by case id."""
    return {
        pk: (review_from, action_due_on)
        for pk, review_from, action_due_on in Case.objects.filter(id__in=case_ids).values_list(
            "id", "review_from", "action_due_on"
        )
    }
