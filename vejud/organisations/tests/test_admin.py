"""The Django admin: system administrators with MFA only, and no case content."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib import admin
from django.contrib.auth.hashers import identify_hasher
from django.core.management import call_command
from django.db.models import Model
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from vejud.accounts.models import AuthenticatorDevice, Membership, Role, User
from vejud.audit.models import AuditEvent
from vejud.audit.services import verify_chain
from vejud.organisations.admin_site import ADMIN_POLICY
from vejud.organisations.models import Agency, Unit
from vejud.testing import CAST, verified_client

pytestmark = pytest.mark.django_db

OTHER_ROLES = [
    name for name, (_unit, role, _agency) in CAST.items() if role != Role.SYSTEM_ADMINISTRATOR
]


def changelist(model: type[Model]) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_only_vejud_model_admins_are_registered():
    registered = {model._meta.label for model in admin.site._registry}

    assert registered == {
        "organisations.PoliceDistrict",
        "organisations.Municipality",
        "organisations.Unit",
        "accounts.User",
        "people.GangGroup",
        "accounts.AuthenticatorDevice",
        "accounts.RecoveryCodeDevice",
        "accounts.ProviderSubject",
        "accounts.Invitation",
        "accounts.ProviderEvent",
        "axes.AccessAttempt",
    }


def test_every_admin_route_declares_the_administer_gate():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.callback

    routes = [
        (route, view)
        for route, view in walk(get_resolver().url_patterns)
        if route.startswith("admin/")
    ]
    assert len(routes) > 20
    for route, view in routes:
        expected = "public" if route == "admin/login/" else "capability"
        assert view.vejud_policy.kind == expected, route
    assert {view.vejud_policy for route, view in routes if route != "admin/login/"} == {
        ADMIN_POLICY
    }


def test_anonymous_visitor_is_sent_to_vejud_login(client: Client):
    response = client.get("/admin/", follow=True)

    final_url = urlsplit(response.redirect_chain[-1][0])
    assert final_url.path == reverse("accounts:login")
    assert parse_qs(final_url.query)["next"] == ["/admin/"]


def test_admin_login_never_redirects_off_site(client: Client):
    response = client.get(reverse("admin:login"), {"next": "https://evil.example/"})

    target = urlsplit(response["Location"])
    assert target.path == reverse("accounts:login")
    assert parse_qs(target.query)["next"] == [reverse("admin:index")]


def test_administrator_without_mfa_is_sent_to_verify(world):
    client = Client()
    client.force_login(world.sysadmin, backend="django.contrib.auth.backends.ModelBackend")

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_setup"))


@pytest.mark.parametrize("name", [*OTHER_ROLES, "nobody"])
def test_other_roles_are_refused(world, name):
    client = verified_client(world.users[name])

    assert client.get("/admin/").status_code == 403
    assert client.get(changelist(User)).status_code == 403
    assert client.get(changelist(Unit)).status_code == 403


def test_administrator_whose_role_has_ended_is_refused(world):
    Membership.objects.filter(user=world.sysadmin).update(
        valid_from=date(2020, 1, 1), valid_to=timezone.localdate() - timedelta(days=1)
    )

    assert verified_client(world.sysadmin).get("/admin/").status_code == 403


def test_administrator_sees_every_registered_page(world):
    client = verified_client(world.sysadmin)

    assert client.get("/admin/").status_code == 200
    for model in admin.site._registry:
        assert client.get(changelist(model)).status_code == 200, model
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200
    unit_page = client.get(reverse("admin:organisations_unit_change", args=[world.unit_a.pk]))
    assert unit_page.status_code == 200


def test_no_case_content_in_the_admin(world):
    client = verified_client(world.sysadmin)

    index = client.get("/admin/").content.decode()

    for word in ("Person", "Case", "Journal", "Protected", "Audit", "Access log", "Group</a>"):
        assert f">{word}" not in index
    assert client.get("/admin/people/person/").status_code == 404
    assert client.get("/admin/cases/case/").status_code == 404
    assert client.get("/admin/audit/auditevent/").status_code == 404


def test_reference_data_is_corrected_not_deleted(world):
    client = verified_client(world.sysadmin)
    url = reverse("admin:organisations_unit_change", args=[world.unit_a.pk])

    response = client.post(
        url,
        {
            "name": "Exit Unit A (renamed)",
            "code": world.unit_a.code,
            "kind": world.unit_a.kind,
            "police_district": world.unit_a.police_district_id,
            "institution_type": "",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    world.unit_a.refresh_from_db()
    assert world.unit_a.name == "Exit Unit A (renamed)"
    delete = client.post(reverse("admin:organisations_unit_delete", args=[world.unit_a.pk]))
    assert delete.status_code == 403
    assert Unit.objects.filter(pk=world.unit_a.pk).exists()


def test_every_admin_change_is_in_the_audit_trail(world):
    client = verified_client(world.sysadmin)

    client.post(
        reverse("admin:people_ganggroup_add"),
        {"name": "Group X", "kind": "gang", "is_active": "on"},
    )

    event = AuditEvent.objects.get(action="admin.add")
    assert event.actor_id == world.sysadmin.pk
    assert event.object_type == "people.ganggroup"
    assert verify_chain().ok


def membership_post(user: User, **row: object) -> dict[str, object]:
    data: dict[str, object] = {
        "email": user.email,
        "full_name": user.full_name,
        "language": "da",
        "is_active": "on",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    data.update({f"memberships-0-{key}": value for key, value in row.items()})
    return data


def test_administrator_gives_a_user_a_role_in_a_unit(world):
    client = verified_client(world.sysadmin)
    user = world.nobody

    response = client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        membership_post(
            user,
            unit=world.national.pk,
            role=Role.ANALYST,  # case-access roles need a four-eyes grant (hole 1)
            agency=Agency.POLICE,
            valid_from="2025-01-01",
        ),
    )

    assert response.status_code == 302
    assert Membership.objects.get(user=user).unit == world.national
    assert AuditEvent.objects.filter(action="admin.change", object_id=str(user.pk)).exists()


@pytest.mark.parametrize(
    ("unit", "role"),
    [("unit_a", Role.NATIONAL_ADVISER), ("unit_a", Role.CUSTODY_STAFF)],
)
def test_a_role_that_would_give_no_access_in_that_unit_is_refused(world, unit, role):
    client = verified_client(world.sysadmin)

    response = client.post(
        reverse("admin:accounts_user_change", args=[world.nobody.pk]),
        membership_post(
            world.nobody,
            unit=getattr(world, unit).pk,
            role=role,
            agency=Agency.POLICE,
            valid_from="2025-01-01",
        ),
    )

    assert response.status_code == 200
    assert not Membership.objects.filter(user=world.nobody).exists()


def test_administrator_creates_a_user(world):
    client = verified_client(world.sysadmin)

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Person@Test.vejud.dk",
            "full_name": "New Person",
            "language": "da",
            "usable_password": "true",
            "password1": "a long new password 42",
            "password2": "a long new password 42",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    created = User.objects.get(email="new.person@test.vejud.dk")
    assert created.check_password("a long new password 42")


def test_an_e_mail_address_is_not_registered_twice(world):
    client = verified_client(world.sysadmin)

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": world.member_a.email.upper(),
            "full_name": "Copy",
            "language": "da",
            "usable_password": "false",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert User.objects.filter(email__iexact=world.member_a.email).count() == 1


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_password_is_changed_through_the_admin_form_and_hashed_with_argon2(world):
    client = verified_client(world.sysadmin)
    url = reverse("admin:auth_user_password_change", args=[world.member_a.pk])

    response = client.post(
        url, {"password1": "another long password 7", "password2": "another long password 7"}
    )

    assert response.status_code == 302
    world.member_a.refresh_from_db()
    assert identify_hasher(world.member_a.password).algorithm == "argon2"
    assert world.member_a.check_password("another long password 7")
    assert AuditEvent.objects.filter(
        action="admin.change", object_id=str(world.member_a.pk)
    ).exists()


def test_user_page_shows_no_password_hash(world):
    client = verified_client(world.sysadmin)

    page = client.get(
        reverse("admin:accounts_user_change", args=[world.member_a.pk])
    ).content.decode()

    assert world.member_a.password not in page


def test_lost_authenticator_is_reset_by_deleting_the_device(world):
    device = AuthenticatorDevice.objects.create(user=world.member_a, name="phone", confirmed=True)
    client = verified_client(world.sysadmin)

    listing = client.get(changelist(AuthenticatorDevice)).content.decode()
    detail = client.get(
        reverse("admin:accounts_authenticatordevice_change", args=[device.pk])
    ).content.decode()
    response = client.post(
        reverse("admin:accounts_authenticatordevice_delete", args=[device.pk]), {"post": "yes"}
    )

    assert device.key not in listing
    assert device.key not in detail
    assert response.status_code == 302
    assert not AuthenticatorDevice.objects.filter(pk=device.pk).exists()
    assert AuditEvent.objects.filter(
        action="admin.delete", object_type="accounts.authenticatordevice"
    ).exists()


def test_createsuperuser_makes_a_system_administrator(world):
    out = StringIO()

    call_command(
        "createsuperuser",
        email="first.admin@test.vejud.dk",
        full_name="First Admin",
        interactive=False,
        stdout=out,
    )

    user = User.objects.get(email="first.admin@test.vejud.dk")
    membership = Membership.objects.get(user=user)
    assert (membership.unit, membership.role) == (world.national, Role.SYSTEM_ADMINISTRATOR)
    assert "system administrator" in out.getvalue()
