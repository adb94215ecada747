"""Re-authentication (password + code) before sensitive actions."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from vejud.accounts.models import ApiToken
from vejud.accounts.tests.conftest import code_for, enrol, wrong_code_for
from vejud.testing import PASSWORD, verified_client

REAUTH = "/konto/bekraeft/"
TOKEN_NEW = "/konto/api-noegler/ny/"


def test_token_creation_requires_reauth(world, clock):
    client = verified_client(world.member_a)

    response = client.get(TOKEN_NEW)
    assert response.status_code == 302
    assert response["Location"] == f"{REAUTH}?next=%2Fkonto%2Fapi-noegler%2Fny%2F"

    response = client.post(TOKEN_NEW, {"name": "script", "days": 30})
    assert response.status_code == 302
    assert response["Location"].startswith(REAUTH)
    assert not ApiToken.objects.exists()


def test_reauth_page_is_accessible(world):
    client = verified_client(world.member_a)
    html = client.get(REAUTH).content.decode()
    assert 'for="id_password"' in html
    assert 'for="id_code"' in html
    assert 'autocomplete="one-time-code"' in html


def test_reauth_with_password_and_code_opens_the_action(world, clock):
    client = verified_client(world.member_a)
    device = world.member_a.authenticatordevice_set.get()
    response = client.post(
        REAUTH, {"password": PASSWORD, "code": code_for(device), "next": TOKEN_NEW}
    )
    assert response.status_code == 302
    assert response["Location"] == TOKEN_NEW
    assert client.get(TOKEN_NEW).status_code == 200

    response = client.post(TOKEN_NEW, {"name": "script", "days": 30})
    assert response.status_code == 200
    assert ApiToken.objects.filter(user=world.member_a, name="script").exists()


def test_reauth_lapses_after_the_window(world, clock):
    client = verified_client(world.member_a)
    device = world.member_a.authenticatordevice_set.get()
    client.post(REAUTH, {"password": PASSWORD, "code": code_for(device)})
    clock.shift(settings.VEJUD_REAUTH_SECONDS - 5)
    assert client.get(TOKEN_NEW).status_code == 200
    clock.shift(10)
    assert client.get(TOKEN_NEW).status_code == 302


def test_reauth_rejects_a_wrong_password(world, clock):
    client = verified_client(world.member_a)
    device = world.member_a.authenticatordevice_set.get()
    response = client.post(REAUTH, {"password": "wrong", "code": code_for(device)})
    assert response.status_code == 200
    assert "The password is wrong." in response.content.decode()
    assert client.get(TOKEN_NEW).status_code == 302


def test_reauth_rejects_a_wrong_code(world, clock):
    client = verified_client(world.member_a)
    device = world.member_a.authenticatordevice_set.get()
    response = client.post(REAUTH, {"password": PASSWORD, "code": wrong_code_for(device)})
    assert response.status_code == 200
    assert "The code is wrong or has expired." in response.content.decode()
    assert client.get(TOKEN_NEW).status_code == 302


def test_reauth_does_not_accept_another_users_password(world, clock):
    client = verified_client(world.member_a)
    enrol(world.member_b)
    device = world.member_a.authenticatordevice_set.get()
    # member_b has the same test password; what matters is that it is checked as member_a's.
    world.member_b.set_password("member b's own password")
    world.member_b.save()
    response = client.post(
        REAUTH, {"password": "member b's own password", "code": code_for(device)}
    )
    assert response.status_code == 200
    assert client.get(TOKEN_NEW).status_code == 302


def test_reauth_ignores_an_offsite_next(world, clock):
    client = verified_client(world.member_a)
    device = world.member_a.authenticatordevice_set.get()
    response = client.post(
        REAUTH, {"password": PASSWORD, "code": code_for(device), "next": "//evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")


def test_reauth_needs_login(client, world):
    response = client.get(REAUTH)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
