"""Hole 1: a system administrator cannot give itself (or anyone) case access in the admin.

Roles that reach case content are granted only through a request and an approval by a
second person (the national head or another administrator), never self-approved; the
approval creates the membership and the grant waits in the auditor's queue.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from vejud.access.rules import CASE_ACCESS_ROLES, FOUR_EYES_ROLES, role_gives_case_access
from vejud.accounts.grants import (
    role_grant_approve,
    role_grant_reject,
    role_grant_request,
    role_grant_review,
)
from vejud.accounts.models import Membership, Role, RoleGrant, RoleGrantStatus
from vejud.audit.models import AuditEvent
from vejud.organisations.models import Agency
from vejud.testing import make_case, make_user, verified_client


def _admin_post(person, **row) -> dict[str, object]:
    data: dict[str, object] = {
        "email": person.email,
        "full_name": person.full_name,
        "language": "en",
        "is_active": "on",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    data.update({f"memberships-0-{key}": value for key, value in row.items()})
    return data


@pytest.fixture
def second_admin(world):
    return make_user(
        "admin2@test.vejud.dk", "Second Admin", world.national, Role.SYSTEM_ADMINISTRATOR
    )


def test_the_admin_cannot_give_itself_a_national_role(world):
    case = make_case(world.coordinator_a, world.unit_a, first_name="Zelda", last_name="Quixwort")
    client = verified_client(world.sysadmin)
    response = client.post(
        reverse("admin:accounts_user_change", args=[world.sysadmin.pk]),
        _admin_post(
            world.sysadmin,
            unit=world.national.pk,
            role=Role.NATIONAL_ADVISER,
            agency=Agency.NATIONAL,
            valid_from="2025-01-01",
        ),
    )
    assert response.status_code == 200
    assert "four eyes" in response.content.decode()
    assert list(Membership.objects.filter(user=world.sysadmin).values_list("role", flat=True)) == [
        Role.SYSTEM_ADMINISTRATOR
    ]
    assert verified_client(world.sysadmin).get(case.get_absolute_url()).status_code == 403


@pytest.mark.parametrize(
    "role", [Role.UNIT_MEMBER, Role.MENTOR, Role.AUDITOR, Role.SYSTEM_ADMINISTRATOR]
)
def test_no_case_access_or_granting_role_for_anyone_in_the_admin(world, role):
    response = verified_client(world.sysadmin).post(
        reverse("admin:accounts_user_change", args=[world.nobody.pk]),
        _admin_post(
            world.nobody,
            unit=world.national.pk,
            role=role,
            agency="police",
            valid_from="2025-01-01",
        ),
    )
    assert response.status_code == 200
    assert not Membership.objects.filter(user=world.nobody).exists()


def test_an_existing_case_role_can_be_ended_but_not_moved_in_the_admin(world):
    membership = Membership.objects.get(user=world.member_a)
    url = reverse("admin:accounts_user_change", args=[world.member_a.pk])
    row = {
        "id": membership.pk,
        "user": world.member_a.pk,
        "unit": world.national.pk,
        "role": Role.NATIONAL_HEAD,
        "agency": membership.agency,
        "valid_from": "2020-01-01",
    }
    data = _admin_post(world.member_a, **row)
    data["memberships-INITIAL_FORMS"] = "1"
    client = verified_client(world.sysadmin)
    assert client.post(url, data).status_code == 200
    membership.refresh_from_db()
    assert (membership.unit, membership.role) == (world.unit_a, Role.UNIT_MEMBER)
    data.update({"memberships-0-unit": world.unit_a.pk, "memberships-0-role": Role.UNIT_MEMBER})
    data["memberships-0-valid_to"] = "2030-01-01"
    assert client.post(url, data).status_code == 302
    membership.refresh_from_db()
    assert membership.valid_to == date(2030, 1, 1)


def test_case_access_roles_are_all_but_analyst_and_administrator():
    assert set(Role) - CASE_ACCESS_ROLES == {Role.ANALYST, Role.SYSTEM_ADMINISTRATOR}
    assert role_gives_case_access(Role.MENTOR)
    assert not role_gives_case_access(Role.ANALYST)
    # The administrator role grants case roles, so it needs four eyes too: otherwise one
    # administrator could make a second administrator account and approve with it.
    assert set(Role) - FOUR_EYES_ROLES == {Role.ANALYST}


def test_a_second_administrator_is_granted_with_four_eyes(world):
    grant = role_grant_request(
        actor=world.sysadmin,
        user=world.nobody,
        unit=world.national,
        role=Role.SYSTEM_ADMINISTRATOR,
        agency=Agency.NATIONAL,
        reason="Second administrator for the on-call rota.",
    )
    with pytest.raises(PermissionDenied):
        role_grant_approve(actor=world.sysadmin, grant=grant)
    role_grant_approve(actor=world.head, grant=grant)
    assert Membership.objects.filter(user=world.nobody, role=Role.SYSTEM_ADMINISTRATOR).exists()


def _request(world, actor, user=None, **extra):
    return role_grant_request(
        actor=actor,
        user=user or world.nobody,
        unit=world.unit_a,
        role=Role.UNIT_MEMBER,
        agency=Agency.POLICE,
        reason="Joins the unit from 1 March.",
        **extra,
    )


def test_four_eyes_grant_creates_the_membership_and_queues_it_for_the_auditor(world):
    grant = _request(world, world.sysadmin)
    assert not Membership.objects.filter(user=world.nobody).exists()
    with pytest.raises(PermissionDenied):
        role_grant_approve(actor=world.sysadmin, grant=grant)  # the requester
    role_grant_approve(actor=world.head, grant=grant)
    grant.refresh_from_db()
    assert grant.status == RoleGrantStatus.APPROVED
    assert (grant.membership.user, grant.membership.role) == (world.nobody, Role.UNIT_MEMBER)
    assert grant.decided_by == world.head
    assert {e.action for e in AuditEvent.objects.filter(object_type="accounts.rolegrant")} == {
        "role_grant.request",
        "role_grant.approve",
    }
    page = verified_client(world.auditor).get(reverse("audit:role_grants"))
    assert list(page.context["grants"]) == [grant]
    assert world.nobody.email in page.content.decode()
    role_grant_review(actor=world.auditor, grant=grant)
    assert (
        list(verified_client(world.auditor).get(reverse("audit:role_grants")).context["grants"])
        == []
    )


def test_an_administrator_cannot_approve_a_role_for_itself(world, second_admin):
    grant = _request(world, second_admin, user=world.sysadmin)
    with pytest.raises(PermissionDenied):
        role_grant_approve(actor=world.sysadmin, grant=grant)  # the grantee
    assert not Membership.objects.filter(user=world.sysadmin, role=Role.UNIT_MEMBER).exists()
    role_grant_approve(actor=world.head, grant=grant)  # a second person may
    assert Membership.objects.filter(user=world.sysadmin, role=Role.UNIT_MEMBER).exists()


def test_a_decided_request_stays_decided(world, second_admin):
    grant = _request(world, world.sysadmin)
    role_grant_reject(actor=second_admin, grant=grant)
    with pytest.raises(ValidationError):
        role_grant_approve(actor=world.head, grant=grant)
    assert not Membership.objects.filter(user=world.nobody).exists()


def test_only_case_access_roles_and_only_the_head_or_an_administrator(world):
    with pytest.raises(ValidationError):
        role_grant_request(
            actor=world.head, user=world.nobody, unit=world.national, role=Role.ANALYST,
            agency=Agency.NATIONAL, reason="Statistics.",
        )  # fmt: skip
    for actor in (world.coordinator_a, world.adviser, world.auditor, world.member_a):
        with pytest.raises(PermissionDenied):
            _request(world, actor)


def test_pages_request_and_approve(world, second_admin):
    url = reverse("accounts:role_grants")
    response = verified_client(world.sysadmin).post(
        url,
        {
            "user": world.nobody.email,
            "unit": world.unit_a.pk,
            "role": Role.UNIT_MEMBER,
            "agency": Agency.POLICE,
            "valid_from": "2026-01-01",
            "reason": "Joins the unit.",
        },
    )
    assert response.status_code == 302
    grant = RoleGrant.objects.get()
    listing = verified_client(second_admin).get(url)
    assert list(listing.context["pending"]) == [grant]
    decide = reverse("accounts:role_grant_decide", kwargs={"grant_id": grant.pk})
    verified_client(world.sysadmin).post(decide, {"decision": "approve"})  # own request
    grant.refresh_from_db()
    assert grant.status == RoleGrantStatus.PENDING
    assert verified_client(second_admin).post(decide, {"decision": "approve"}).status_code == 302
    grant.refresh_from_db()
    assert grant.status == RoleGrantStatus.APPROVED
    assert verified_client(world.member_a).get(url).status_code == 403
    assert verified_client(world.member_a).post(decide, {"decision": "approve"}).status_code == 403
    assert verified_client(world.sysadmin).get(reverse("audit:role_grants")).status_code == 403
