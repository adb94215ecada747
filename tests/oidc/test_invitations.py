"""Invitation links (issue 20): an administrator makes a single-use, expiring link for a user;
the person opens it, signs in at the (real) provider, and the provider login is linked to that
user. Unknown, expired and used links, and a provider login of another user, are refused with
a clear message and give no access."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from vejud.accounts.invitations import invitation_create
from vejud.accounts.models import Invitation, ProviderSubject, User
from vejud.accounts.sso import subject_link
from vejud.audit.models import AuditEvent
from vejud.testing import World, verified_client
from vejud.testing.oidc import OidcProvider, callback_path

pytestmark = pytest.mark.django_db


def accept(client: Client, provider: OidcProvider, raw: str, sub: str) -> Any:
    """Open the invitation link, press the provider's button, sign in there, come back."""
    page = client.get(f"/konto/invitation/{raw}/")
    assert page.status_code == 200, page.content.decode()[:500]
    start = client.get("/konto/sso/test/", {"next": "/"})
    return client.get(callback_path(provider.log_in(str(start["Location"]), sub)))


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_an_invitation_links_the_provider_login_to_the_user(
    world: World, sso: OidcProvider
) -> None:
    invitation, raw = invitation_create(actor=world.sysadmin, user=world.member_b)
    assert invitation.token_hash == Invitation.hash_token(raw) and raw not in invitation.token_hash
    assert AuditEvent.objects.filter(
        action="account.invitation_create", actor_id=world.sysadmin.pk
    ).exists()
    client = Client()
    page = client.get(f"/konto/invitation/{raw}/").content.decode()
    assert world.member_b.full_name in page and "/konto/sso/test/?next=" in page
    start = client.get("/konto/sso/test/", {"next": "/sager/"})
    response = client.get(callback_path(sso.log_in(str(start["Location"]), "dorte")))
    assert response.status_code == 302 and response["Location"] == "/sager/"  # acr high
    assert client.session["_auth_user_id"] == str(world.member_b.pk)
    subject = ProviderSubject.objects.get(issuer=sso.issuer, subject="dorte")
    assert subject.user == world.member_b and subject.confirmed
    invitation.refresh_from_db()
    assert invitation.used_at is not None and invitation.subject == subject
    assert AuditEvent.objects.filter(action="account.invitation_accept").exists()
    assert AuditEvent.objects.filter(action="account.sso_link", object_id=str(subject.pk))
    # Used: the same link again is refused, and a later provider login needs no link.
    again = Client()
    refused = again.get(f"/konto/invitation/{raw}/")
    assert refused.status_code == 400
    assert "already been used" in refused.content.decode() and not signed_in(again)
    later = Client()
    start = later.get("/konto/sso/test/", {"next": "/sager/"})
    later.get(callback_path(sso.log_in(str(start["Location"]), "dorte")))
    assert later.session["_auth_user_id"] == str(world.member_b.pk)


def test_wrong_and_expired_links_are_refused_and_give_no_access(
    world: World, sso: OidcProvider
) -> None:
    _invitation, raw = invitation_create(actor=world.sysadmin, user=world.member_b)
    client = Client()
    wrong = client.get(f"/konto/invitation/{raw[:-2]}xx/")
    assert wrong.status_code == 400 and "not valid" in wrong.content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        expired = client.get(f"/konto/invitation/{raw}/")
    assert expired.status_code == 400 and "has expired" in expired.content.decode()
    # A provider login after a refused link stays unlinked.
    start = client.get("/konto/sso/test/", {"next": "/sager/"})
    response = client.get(callback_path(sso.log_in(str(start["Location"]), "dorte")))
    assert response.status_code == 403 and not signed_in(client)
    assert ProviderSubject.objects.get(subject="dorte").user is None
    reasons = [
        e.changes["reason"]
        for e in AuditEvent.objects.filter(action="account.sso_refused").order_by("pk")
    ]
    assert reasons == ["invitation_unknown", "invitation_expired", "unlinked"]


def test_expiry_between_opening_and_signing_in_links_nothing(
    world: World, sso: OidcProvider
) -> None:
    invitation, raw = invitation_create(actor=world.sysadmin, user=world.member_b)
    client = Client()
    assert client.get(f"/konto/invitation/{raw}/").status_code == 200
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    start = client.get("/konto/sso/test/", {"next": "/"})
    response = client.get(callback_path(sso.log_in(str(start["Location"]), "dorte")))
    assert response.status_code == 400 and "has expired" in response.content.decode()
    assert not signed_in(client)
    assert ProviderSubject.objects.get(subject="dorte").user is None


def test_a_login_of_another_user_does_not_use_the_invitation(
    world: World, sso: OidcProvider
) -> None:
    subject = ProviderSubject.objects.create(
        name="test", issuer=sso.issuer, subject="anna", confirmed=False
    )
    subject_link(actor=world.sysadmin, subject=subject, user=world.member_a)
    invitation, raw = invitation_create(actor=world.sysadmin, user=world.member_b)
    client = Client()
    response = accept(client, sso, raw, "anna")
    assert response.status_code == 400
    assert "already linked to another vejud user" in response.content.decode()
    assert not signed_in(client)
    invitation.refresh_from_db()
    subject.refresh_from_db()
    assert invitation.used_at is None and subject.user == world.member_a


def test_only_a_system_administrator_invites(world: World) -> None:
    with pytest.raises(PermissionDenied):
        invitation_create(actor=world.coordinator_a, user=world.member_a)
    assert not Invitation.objects.exists()


def test_the_admin_makes_the_link_and_shows_it_once(world: World, sso: OidcProvider) -> None:
    admin = verified_client(world.sysadmin)
    response = admin.post(
        "/admin/accounts/user/",
        {"action": "make_invitation", "_selected_action": [world.member_b.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "/konto/invitation/" in page
    link = page.split("/konto/invitation/", 1)[1].split("/", 1)[0]
    invitation = Invitation.objects.get(user=world.member_b)
    assert invitation.token_hash == Invitation.hash_token(link)
    assert invitation.created_by == world.sysadmin
    assert accept(Client(), sso, link, "dorte").status_code == 302
    assert User.objects.get(provider_subjects__subject="dorte") == world.member_b


def test_the_admin_lists_invitations_and_withdraws_an_unused_one(world: World) -> None:
    invitation, raw = invitation_create(actor=world.sysadmin, user=world.member_b)
    admin = verified_client(world.sysadmin)
    listing = admin.get("/admin/accounts/invitation/").content.decode()
    assert world.member_b.email in listing and raw not in listing
    assert admin.get(f"/admin/accounts/invitation/{invitation.pk}/change/").status_code == 200
    response = admin.post(
        f"/admin/accounts/invitation/{invitation.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert response.status_code == 200 and not Invitation.objects.exists()
    assert Client().get(f"/konto/invitation/{raw}/").status_code == 400
    assert admin.get("/admin/accounts/providerevent/").status_code == 200
