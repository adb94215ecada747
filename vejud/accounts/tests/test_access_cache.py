"""The session keeps the second-factor verification and the scope for a minute (issue 13).

Security first: a membership or device changed by any path (service, admin, shell) takes
effect on the next request, and an access list bars a user at once (it is never kept).
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from vejud.accounts.generation import missing_triggers
from vejud.accounts.middleware import ACCESS_KEY, ACCESS_RECHECK_SECONDS
from vejud.accounts.models import AuthenticatorDevice, Membership, User
from vejud.people.models import AccessRuleKind
from vejud.people.services import person_access_rule_add
from vejud.testing import verified_client
from vejud.testing.builders import make_case

pytestmark = pytest.mark.django_db


def _tables(queries: CaptureQueriesContext) -> str:
    return " ".join(q["sql"] for q in queries.captured_queries)


def test_the_triggers_are_installed():
    assert missing_triggers(connection) == []


def test_a_second_request_reads_neither_device_nor_memberships(world):
    client = verified_client(world.member_a)
    client.get(reverse("portal:ping"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("portal:ping"))
    assert response.status_code == 200
    # The session, the user, the page's own query: what a bare Django view with a session costs.
    assert len(queries) == 3, _tables(queries)
    assert "accounts_authenticatordevice" not in _tables(queries)
    assert "accounts_membership" not in _tables(queries)


def test_after_a_minute_both_are_checked_again(world, monkeypatch):
    client = verified_client(world.member_a)
    client.get(reverse("portal:ping"))
    later = time.time() + ACCESS_RECHECK_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("portal:ping"))
    assert "accounts_authenticatordevice" in _tables(queries)
    assert "accounts_membership" in _tables(queries)


def test_an_ended_membership_takes_effect_at_once(world):
    client = verified_client(world.member_a)
    assert client.get(reverse("cases:caseload")).status_code == 200
    membership = Membership.objects.get(user=world.member_a)
    membership.valid_to = timezone.localdate() - timedelta(days=1)
    membership.save()
    assert client.get(reverse("cases:caseload")).status_code == 403


def test_a_removed_membership_takes_effect_at_once(world):
    client = verified_client(world.member_a)
    assert client.get(reverse("cases:caseload")).status_code == 200
    Membership.objects.filter(user=world.member_a).delete()
    assert client.get(reverse("cases:caseload")).status_code == 403


def test_a_new_membership_takes_effect_at_once(world):
    client = verified_client(world.nobody)
    assert client.get(reverse("cases:caseload")).status_code == 403
    membership = Membership.objects.get(user=world.member_a)
    membership.pk = None
    membership.user = world.nobody
    membership.save()
    assert client.get(reverse("cases:caseload")).status_code == 200


def test_a_removed_device_takes_effect_at_once(world):
    client = verified_client(world.member_a)
    assert client.get(reverse("cases:caseload")).status_code == 200
    AuthenticatorDevice.objects.filter(user=world.member_a).delete()
    response = client.get(reverse("cases:caseload"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_setup"))
    assert ACCESS_KEY not in client.session


def test_a_stale_save_of_the_user_cannot_lower_the_generation(world):
    stale = User.objects.get(pk=world.member_a.pk)
    Membership.objects.filter(user=world.member_a).delete()
    raised = User.objects.get(pk=world.member_a.pk).access_generation
    assert raised > stale.access_generation
    stale.full_name = "Renamed"
    stale.save()
    assert User.objects.get(pk=world.member_a.pk).access_generation == raised


def test_a_barred_user_gets_404_at_once(world):
    case = make_case(world.coordinator_a, world.unit_a, first_name="Ib", last_name="Isak")
    client = verified_client(world.member_a)
    page = reverse("cases:detail", args=[case.reference])
    assert client.get(page).status_code == 200
    person_access_rule_add(
        actor=world.coordinator_a,
        person=case.person,
        kind=AccessRuleKind.EXCLUSION,
        user=world.member_a,
    )
    assert client.get(page).status_code == 404
