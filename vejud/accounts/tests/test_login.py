"""The password step, the second factor after it, logout, and MFA enforcement everywhere."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from vejud.accounts.middleware import LOGIN_AT_KEY
from vejud.accounts.models import UserSession
from vejud.accounts.tests.conftest import code_for, enrol, password_login

PROFILE = "/konto/profil/"


def test_login_page_is_public_and_accessible(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'for="id_email"' in html
    assert 'for="id_password"' in html
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html
    assert html.count("<h1") == 1


@pytest.mark.django_db
def test_the_login_page_switches_language_before_signing_in():
    """Rough edge 9 (issue 14): the login page had no language switch."""
    client = Client()
    page = client.get(reverse("accounts:login")).content.decode()
    assert 'name="language" value="en" lang="en"' in page
    assert 'name="language" value="da" lang="da"' in page
    login = reverse("accounts:login")
    for language, heading in (("da", "<h1>Log ind</h1>"), ("en", "<h1>Sign in</h1>")):
        response = client.post(reverse("set_language"), {"language": language, "next": login})
        assert response.status_code == 302
        page = client.get(response["Location"]).content.decode()
        assert heading in page
        assert f'value="{language}" lang="{language}" aria-current="true"' in page


def test_login_is_public_and_every_other_account_page_needs_login():
    from vejud.accounts.urls import urlpatterns

    kinds = {p.name: getattr(p.callback, "vejud_policy", None) for p in urlpatterns}
    assert None not in kinds.values()
    public = {name for name, policy in kinds.items() if getattr(policy, "kind", "") == "public"}
    # The single sign-on start and callback are public too: they are how one logs in; the
    # back-channel logout is the provider's (a signed logout token is its credential); an
    # invitation link is opened before its person has a login.
    assert public == {"login", "sso_start", "sso_callback", "sso_backchannel_logout", "invitation"}
    # The four-eyes role grants (issue 11, hole 1) are the one page that needs a capability.
    capability = {name for name, policy in kinds.items() if policy.kind == "capability"}
    assert capability == {"role_grants", "role_grant_decide"}
    assert {getattr(policy, "kind", "") for policy in kinds.values()} == {
        "public",
        "authenticated",
        "capability",
    }


def test_anonymous_visitor_is_sent_to_login(client, world):
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={PROFILE}"


def test_wrong_password_is_refused(client, world, clock):
    enrol(world.member_a)
    response = password_login(client, world.member_a.email, "not the password")
    assert response.status_code == 200
    assert "The e-mail address or the password is wrong." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_unknown_email_gets_the_same_answer(client, world, clock):
    response = password_login(client, "nobody-here@test.vejud.dk", "whatever it is")
    assert response.status_code == 200
    assert "The e-mail address or the password is wrong." in response.content.decode()


def test_inactive_user_cannot_log_in(client, world, clock):
    user = world.member_a
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = password_login(client, user.email)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_full_login_with_password_and_totp(client, world, clock):
    user = world.member_a
    device = enrol(user)

    response = password_login(client, user.email.upper(), next_url=PROFILE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:otp_verify')}?next=%2Fkonto%2Fprofil%2F"

    # The password alone opens nothing.
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))

    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'autocomplete="one-time-code"' in html
    assert 'inputmode="numeric"' in html

    response = client.post(
        reverse("accounts:otp_verify"), {"code": code_for(device), "next": PROFILE}
    )
    assert response.status_code == 302
    assert response["Location"] == PROFILE
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(PROFILE).status_code == 200


def test_login_records_the_session_and_its_start(client, world, clock):
    user = world.member_a
    device = enrol(user)
    password_login(client, user.email, ip="192.0.2.7", agent="Firefox/130")
    client.post(reverse("accounts:otp_verify"), {"code": code_for(device)})

    key = client.session.session_key
    assert client.session[LOGIN_AT_KEY] == pytest.approx(time.time())
    row = UserSession.objects.get(session_key=key)
    assert row.user == user
    assert row.ip_address == "192.0.2.7"
    assert row.user_agent == "Firefox/130"
    assert row.ended_at is None


def test_user_without_authenticator_is_sent_to_setup(client, world, clock):
    response = password_login(client, world.member_a.email)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_setup"))


def test_offsite_next_is_ignored(client, world, clock):
    user = world.member_a
    device = enrol(user)
    password_login(client, user.email, next_url="https://evil.example/steal")
    response = client.post(
        reverse("accounts:otp_verify"),
        {"code": code_for(device), "next": "https://evil.example/steal"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")


def test_signed_in_user_visiting_login_goes_on(world):
    from vejud.testing import verified_client

    client = verified_client(world.member_a)
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")


def test_logout_is_post_only_and_ends_the_session(world, login):
    user = world.member_a
    client = login(user, enrol(user))
    key = client.session.session_key

    assert client.get(reverse("accounts:logout")).status_code == 405

    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert not Session.objects.filter(session_key=key).exists()
    assert UserSession.objects.get(session_key=key).ended_at is not None
    assert client.get(PROFILE).status_code == 302


@pytest.mark.parametrize(
    "path",
    [
        PROFILE,
        "/konto/sessioner/",
        "/konto/api-noegler/",
        "/konto/api-noegler/ny/",
        "/konto/bekraeft/",
        "/konto/log-ind/",
        "/sager/",
        "/sager/EX-2025-00001/",
        "/personer/",
        "/revision/",
        "/admin/",
        "/",
    ],
)
def test_password_only_user_is_sent_to_second_factor_for_any_page(world, clock, path):
    user = world.member_a
    enrol(user)
    client = Client()
    password_login(client, user.email)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify") + "?next=")


def test_password_only_user_without_authenticator_is_sent_to_setup(world, clock):
    client = Client()
    password_login(client, world.member_a.email)
    response = client.get("/sager/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_setup") + "?next=")


def test_a_code_of_non_ascii_digits_is_a_wrong_code_not_a_500(client, world, clock):
    user = world.member_a
    enrol(user)
    password_login(client, user.email, next_url=PROFILE)
    response = client.post(reverse("accounts:otp_verify"), {"code": "²²²²²²", "next": PROFILE})
    assert response.status_code == 200
    assert client.get(PROFILE).status_code == 302  # still not through the second factor
