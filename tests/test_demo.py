"""``vejud seed-demo``: a synthetic dataset made through the services, created once."""

from __future__ import annotations

import base64
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.dk import cpr as stdnum_cpr

from vejud.accounts.models import Membership, Role, User
from vejud.audit.services import verify_chain
from vejud.cases.models import BreakGlassGrant, Case, JournalEntry, Track
from vejud.cases.permissions import scope_for
from vejud.core.demo import DEMO_DOMAIN, DEMO_PASSWORD, totp_secret_base32
from vejud.organisations.models import Unit, UnitKind
from vejud.people.models import (
    AccessRuleKind,
    AddressCustodian,
    Person,
    PersonAccessRule,
    ProtectedAddress,
)

pytestmark = pytest.mark.django_db

SECRET_LINE = re.compile(r"^(\S+@demo\.vejud\.dk)\s+([A-Z2-7]{32})\s", re.MULTILINE)


def seed(**options: object) -> str:
    out = StringIO()
    call_command("seed-demo", stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "devices": TOTPDevice.objects.count(),
        "units": Unit.objects.count(),
        "persons": Person.objects.count(),
        "cases": Case.objects.count(),
        "journal": JournalEntry.objects.count(),
    }


def test_second_run_adds_nothing_and_prints_the_logins_again():
    first = seed(cases=40)
    before = counts()
    second = seed(cases=40)

    assert counts() == before
    assert before["cases"] == 40
    assert "no demo cases added" in second
    assert SECRET_LINE.findall(first) == SECRET_LINE.findall(second)


def test_prints_every_demo_user_with_a_working_totp_secret():
    output = seed(cases=20)

    printed = dict(SECRET_LINE.findall(output))
    demo_users = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")
    assert set(printed) == set(demo_users.values_list("email", flat=True))
    assert DEMO_PASSWORD in output
    assert "http://127.0.0.1:8000/" in output
    for user in demo_users:
        assert user.check_password(DEMO_PASSWORD)
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        code = totp(base64.b32decode(printed[user.email]))
        assert device.verify_token(f"{code:06d}"), user.email
        assert printed[user.email] == totp_secret_base32(user.email)


def test_staff_of_every_role_in_the_units_they_belong_to():
    seed(cases=20)

    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    for unit in Unit.objects.filter(kind=UnitKind.LOCAL):
        unit_roles = set(unit.memberships.values_list("role", flat=True))
        assert {Role.UNIT_MEMBER, Role.UNIT_COORDINATOR} <= unit_roles, unit
    admin = User.objects.get(email=f"admin@{DEMO_DOMAIN}")
    assert scope_for(admin).roles == {Role.SYSTEM_ADMINISTRATOR}


def test_persons_are_synthetic_with_valid_cpr_numbers():
    seed(cases=30)

    for person in Person.objects.all():
        assert stdnum_cpr.is_valid(person.cpr)
        # Generated to fail the old modulus-11 check, away from most real numbers.
        assert stdnum_cpr.checksum(person.cpr) != 0
        assert stdnum_cpr.get_birth_date(person.cpr) == person.birth_date
    first_notes = JournalEntry.objects.order_by("id").values_list("text", flat=True)[:1]
    assert "Syntetiske demodata" in first_notes[0]


def test_cases_cover_both_tracks_and_many_districts():
    seed(cases=120)

    assert set(Case.objects.values_list("track", flat=True)) == set(Track.values)
    districts = Case.objects.filter(responsible_unit__kind=UnitKind.LOCAL).values(
        "responsible_unit"
    )
    assert districts.distinct().count() >= 6
    assert Case.objects.values("status").distinct().count() >= 5
    assert Case.objects.filter(previous_case__isnull=False).exists()
    custody = Case.objects.filter(track=Track.CUSTODY)
    assert not custody.filter(institution__isnull=True).exists()


def test_one_protected_address_with_the_coordinator_as_custodian():
    seed(cases=20)

    address = ProtectedAddress.objects.get()
    custodians = AddressCustodian.objects.filter(address=address)
    assert [c.user.email for c in custodians] == [f"coordinator.koebenhavn@{DEMO_DOMAIN}"]
    assert custodians[0].case.responsible_unit.code == "exit-koebenhavn"


def test_one_person_with_a_restriction_list_and_a_break_glass_grant_for_review():
    seed(cases=20)

    restricted = PersonAccessRule.objects.filter(kind=AccessRuleKind.RESTRICTION)
    assert restricted.values("person").distinct().count() == 1
    grant = BreakGlassGrant.objects.get()
    assert grant.reviewed_at is None
    assert grant.user.email == f"member.fyn@{DEMO_DOMAIN}"


def test_all_changes_are_in_a_verifiable_audit_trail():
    seed(cases=20)

    result = verify_chain()
    assert result.ok, result.problems
    assert result.checked > 20


@override_settings(DEBUG=False, TESTING=False)
def test_refused_with_debug_off():
    with pytest.raises(CommandError, match="DEBUG off"):
        seed(cases=20)
    assert not User.objects.exists()
