"""Staff single sign-on against a real OpenID Connect provider (issue 20).

The provider is the npm package ``oidc-provider`` run by Node.js (``tests/oidc/provider.mjs``,
started once per session by ``conftest.py``); vejud talks to it over HTTP for discovery, the
token exchange and its JWKS, and these tests fill in its login form like a browser would.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from vejud.accounts.models import AuthenticatorDevice, Membership, ProviderSubject, User
from vejud.accounts.sso import subject_link
from vejud.audit.models import AuditEvent
from vejud.testing import PASSWORD, World, make_case, make_user, verified_client
from vejud.testing.oidc import OidcProvider, callback_path

pytestmark = pytest.mark.django_db


def start(client: Client, name: str = "test", next_url: str = "/sager/", **params: str) -> str:
    """Press the provider's button; return the provider's authorisation address."""
    response = client.get(f"/konto/sso/{name}/", {"next": next_url, **params})
    assert response.status_code == 302, response.content[:300]
    return str(response["Location"])


def sso_login(client: Client, provider: OidcProvider, sub: str, name: str = "test") -> Any:
    """The whole round trip: vejud → the provider's login form → vejud's callback."""
    return client.get(callback_path(provider.log_in(start(client, name), sub)))


def linked(sub: str, user: User, provider: OidcProvider, actor: User) -> ProviderSubject:
    """Record the subject as a first login would and link it to ``user``."""
    subject, _ = ProviderSubject.objects.get_or_create(
        issuer=provider.issuer, subject=sub, defaults={"name": "test", "confirmed": False}
    )
    return subject_link(actor=actor, subject=subject, user=user)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_login_buttons_only_for_configured_providers(settings: Any, sso: OidcProvider) -> None:
    response = Client().get("/konto/log-ind/")
    for name in ("test", "wrongaud"):
        assert f'href="/konto/sso/{name}/?next=' in response.content.decode()
    settings.VEJUD_OIDC_PROVIDERS = {}
    page = Client().get("/konto/log-ind/").content.decode()
    assert "/konto/sso/" not in page
    assert 'name="password"' in page


def test_accepted_acr_is_the_second_factor(world: World, sso: OidcProvider) -> None:
    """acr "high" from the provider: signed in and verified, no TOTP step, caseload open."""
    subject = linked("anna", world.member_a, sso, world.sysadmin)
    client = Client()
    authorize = start(client)
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["nonce"] and query["state"]
    response = client.get(callback_path(sso.log_in(authorize, "anna")))
    assert response.status_code == 302 and response["Location"] == "/sager/"
    assert client.session["_auth_user_id"] == str(world.member_a.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == subject.persistent_id
    assert client.get("/sager/").status_code == 200
    event = AuditEvent.objects.filter(action="account.sso_login").latest("pk")
    assert event.actor_id == world.member_a.pk and event.changes["acr"] == "high"


def test_acr_not_accepted_leads_to_the_totp_step(world: World, sso: OidcProvider) -> None:
    linked("bo", world.member_a, sso, world.sysadmin)
    AuthenticatorDevice.objects.create(user=world.member_a, name="default", confirmed=True)
    client = Client()
    response = sso_login(client, sso, "bo")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/to-faktor/?next=")
    assert signed_in(client) and DEVICE_ID_SESSION_KEY not in client.session
    caseload = client.get("/sager/")
    assert caseload.status_code == 302 and caseload["Location"].startswith("/konto/to-faktor/")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("wrongaud", "The sign-in was issued for another application (wrong audience)."),
        ("expired", "The sign-in has expired. Sign in again."),
        ("unknownkey", "The sign-in is signed with a key the identity provider does not publish."),
    ],
)
def test_bad_tokens_are_refused_without_a_session(
    world: World, sso: OidcProvider, name: str, message: str
) -> None:
    linked("anna", world.member_a, sso, world.sysadmin)
    client = Client()
    response = sso_login(client, sso, "anna", name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not signed_in(client)
    assert client.get("/sager/")["Location"].startswith("/konto/log-ind/")


def test_replayed_state_is_refused(world: World, sso: OidcProvider) -> None:
    linked("anna", world.member_a, sso, world.sysadmin)
    client = Client()
    callback = callback_path(sso.log_in(start(client), "anna"))
    assert client.get(callback).status_code == 302
    client.post("/konto/log-ud/")
    replay = client.get(callback)
    assert replay.status_code == 400
    assert "already used or was not started in this browser" in replay.content.decode()
    assert not signed_in(client)
    # Another browser with the same address gets nowhere either.
    other = Client()
    assert other.get(callback).status_code == 400 and not signed_in(other)


def test_code_of_another_login_is_refused(world: World, sso: OidcProvider) -> None:
    """A code issued for one login returned with another login's state: the provider refuses
    it (PKCE: the other login's code verifier), vejud says so and starts no session."""
    linked("anna", world.member_a, sso, world.sysadmin)
    client = Client()
    first = callback_path(sso.log_in(start(client), "anna"))
    other_state = parse_qs(urlsplit(start(client)).query)["state"][0]
    code = parse_qs(urlsplit(first).query)["code"][0]
    response = client.get("/konto/sso/test/retur/", {"code": code, "state": other_state})
    assert response.status_code == 400
    assert "The identity provider did not accept the sign-in." in response.content.decode()
    assert not signed_in(client)


def test_token_with_another_nonce_is_refused(world: World, sso: OidcProvider) -> None:
    """The provider's token carries the nonce of the login it answers; when the session
    expects another one (a token replayed into a login it does not belong to), no session."""
    linked("anna", world.member_a, sso, world.sysadmin)
    client = Client()
    callback = callback_path(sso.log_in(start(client), "anna"))
    session = client.session
    states = session["oidc_states"]
    for flow in states.values():
        flow["nonce"] = "a-nonce-this-login-never-sent"
    session["oidc_states"] = states
    session.save()
    response = client.get(callback)
    assert response.status_code == 400
    assert "does not belong to this browser session (nonce)" in response.content.decode()
    assert not signed_in(client)


def test_unlinked_subject_gets_no_access_until_linked(world: World, sso: OidcProvider) -> None:
    client = Client()
    response = sso_login(client, sso, "dorte")
    assert response.status_code == 403
    assert "an administrator links it to your vejud user" in response.content.decode()
    assert not signed_in(client)
    subject = ProviderSubject.objects.get(issuer=sso.issuer, subject="dorte")
    assert subject.user is None and subject.claimed_email == "dorte@idp.test"
    assert AuditEvent.objects.filter(action="account.sso_unlinked", object_id=str(subject.pk))
    assert AuditEvent.objects.filter(action="account.sso_subject_new", object_id=str(subject.pk))
    # Not matched by e-mail: a vejud user with the provider's e-mail changes nothing.
    make_user("dorte@idp.test", "Dorte Same Mail")
    assert sso_login(Client(), sso, "dorte").status_code == 403


def test_linking_in_the_admin_grants_exactly_the_users_memberships(
    world: World, sso: OidcProvider
) -> None:
    sso_login(Client(), sso, "dorte")
    subject = ProviderSubject.objects.get(subject="dorte")
    mine = make_case(world.coordinator_b, world.unit_b)
    theirs = make_case(world.coordinator_a, world.unit_a)
    before = list(Membership.objects.filter(user=world.member_b).values_list("pk", flat=True))
    admin = verified_client(world.sysadmin)
    url = f"/admin/accounts/providersubject/{subject.pk}/change/"
    response = admin.post(url, {"user": world.member_b.pk, "_save": "Save"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AuditEvent.objects.filter(action="account.sso_link", actor_id=world.sysadmin.pk)
    client = Client()
    assert sso_login(client, sso, "dorte").status_code == 302
    assert client.session["_auth_user_id"] == str(world.member_b.pk)
    after = list(Membership.objects.filter(user=world.member_b).values_list("pk", flat=True))
    assert after == before
    assert client.get(f"/sager/{mine.reference}/").status_code == 200
    assert client.get(f"/sager/{theirs.reference}/").status_code == 404


def test_password_login_switched_off_except_break_glass(settings: Any, world: World) -> None:
    settings.VEJUD_PASSWORD_LOGIN = False
    request = {"email": world.member_a.email, "password": PASSWORD}
    client = Client()
    page = client.post("/konto/log-ind/", request).content.decode()
    assert "Password login is switched off" in page
    assert not signed_in(client)
    admin = User.objects.create_superuser("breakglass@test.vejud.dk", PASSWORD, full_name="BG")
    client = Client()
    response = client.post("/konto/log-ind/", {"email": admin.email, "password": PASSWORD})
    assert response.status_code == 302 and signed_in(client)


def test_logout_ends_the_provider_session(world: World, sso: OidcProvider) -> None:
    linked("anna", world.member_a, sso, world.sysadmin)
    client = Client()
    sso_login(client, sso, "anna")
    response = client.post("/konto/log-ud/")
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(sso.issuer + "/session/end?")
    query = parse_qs(urlsplit(location).query)
    assert query["id_token_hint"] and query["client_id"] == ["vejud-test"]
    assert query["post_logout_redirect_uri"] == ["http://testserver/konto/log-ind/"]
    assert not signed_in(client)


def test_inactive_linked_user_is_deactivated_sessions_and_tokens_end(
    world: World, sso: OidcProvider
) -> None:
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from vejud.accounts.models import ApiToken
    from vejud.accounts.tokens import token_create

    linked("anna", world.member_a, sso, world.sysadmin)
    browser = Client()
    sso_login(browser, sso, "anna")
    assert browser.get("/sager/").status_code == 200
    _token, raw = token_create(
        user=world.member_a, name="script", expires_at=timezone.now() + timedelta(days=10)
    )
    api = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert Client().get("/api/v1/cases", **api).status_code == 200
    User.objects.filter(pk=world.member_a.pk).update(last_login=timezone.now() - timedelta(days=91))
    linked("carl", world.member_b, sso, world.sysadmin)  # seen today: stays active
    User.objects.filter(pk=world.member_b.pk).update(last_login=timezone.now())
    call_command("sso-deactivate-inactive")
    world.member_a.refresh_from_db()
    world.member_b.refresh_from_db()
    assert not world.member_a.is_active and world.member_b.is_active
    assert browser.get("/sager/")["Location"].startswith("/konto/log-ind/")
    assert Client().get("/api/v1/cases", **api).status_code == 401
    assert not ApiToken.objects.usable().filter(user=world.member_a).exists()
    event = AuditEvent.objects.get(action="account.deactivate", object_id=str(world.member_a.pk))
    assert event.changes["sessions_ended"] == 1 and event.changes["tokens_revoked"] == 1
    # A deactivated user's provider login starts no session either.
    again = Client()
    assert sso_login(again, sso, "anna").status_code == 400 and not signed_in(again)


def test_reauthentication_goes_back_to_the_provider(world: World, sso: OidcProvider) -> None:
    from vejud.accounts.decorators import REAUTH_AT_KEY

    linked("anna", world.member_a, sso, world.sysadmin)
    client = Client()
    sso_login(client, sso, "anna")
    session = client.session
    session[REAUTH_AT_KEY] = 0
    session.save()
    response = client.get("/konto/api-noegler/ny/")
    assert response["Location"].startswith("/konto/bekraeft/")
    page = client.get(response["Location"]).content.decode()
    assert "/konto/sso/test/?reauth=1&amp;next=" in page
    authorize = start(client, next_url="/konto/api-noegler/ny/", reauth="1")
    query = parse_qs(urlsplit(authorize).query)
    assert query["prompt"] == ["login"] and query["max_age"] == ["0"]
    response = client.get(callback_path(sso.log_in(authorize, "anna")))
    assert response["Location"] == "/konto/api-noegler/ny/"
    assert client.get("/konto/api-noegler/ny/").status_code == 200
    # Confirming as someone else does not count.
    linked("carl", world.member_b, sso, world.sysadmin)
    session = client.session
    session[REAUTH_AT_KEY] = 0
    session.save()
    authorize = start(client, next_url="/konto/api-noegler/ny/", reauth="1")
    response = client.get(callback_path(sso.log_in(authorize, "carl")))
    assert response.status_code == 400
    page = response.content.decode()
    assert "You confirmed as another user than the one signed in." in page
    assert "You are still signed in, but the action" in page
    assert client.get("/konto/api-noegler/ny/")["Location"].startswith("/konto/bekraeft/")


def test_providers_from_the_environment(monkeypatch: Any, tmp_path: Any) -> None:
    """Several providers at once, each from VEJUD_OIDC_<NAME>_*, the secret from a file."""
    from django.core.exceptions import ImproperlyConfigured

    from vejud.core.env import env_oidc_providers

    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n", encoding="utf-8")
    env = {
        "VEJUD_OIDC_PROVIDERS": "politi, kommune",
        "VEJUD_OIDC_POLITI_ISSUER": "https://login.politi.example/",
        "VEJUD_OIDC_POLITI_CLIENT_ID": "vejud",
        "VEJUD_OIDC_POLITI_CLIENT_SECRET": "s1",
        "VEJUD_OIDC_POLITI_ACR_VALUES": "substantial,high",
        "VEJUD_OIDC_POLITI_LABEL": "Politiets log-ind",
        "VEJUD_OIDC_KOMMUNE_ISSUER": "https://idp.kommune.example",
        "VEJUD_OIDC_KOMMUNE_CLIENT_ID": "vejud-k",
        "VEJUD_OIDC_KOMMUNE_CLIENT_SECRET_FILE": str(secret),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    providers = env_oidc_providers()
    assert list(providers) == ["politi", "kommune"]
    assert providers["politi"]["issuer"] == "https://login.politi.example"
    assert providers["politi"]["accepted_acr"] == ["substantial", "high"]
    assert providers["politi"]["label"] == "Politiets log-ind"
    assert providers["kommune"]["client_secret"] == "from-a-file"
    assert providers["kommune"]["accepted_acr"] == []
    assert providers["kommune"]["scopes"] == "openid email profile"
    monkeypatch.delenv("VEJUD_OIDC_KOMMUNE_CLIENT_ID")
    with pytest.raises(ImproperlyConfigured, match="VEJUD_OIDC_KOMMUNE_CLIENT_ID"):
        env_oidc_providers()


def test_signing_key_rotation_is_picked_up_at_once(world: World, settings: Any) -> None:
    """The provider restarts with a new signing key under the same key id: the next login
    verifies against the new JWKS (vejud keeps no key from the login before)."""
    from vejud.accounts import sso as sso_module
    from vejud.testing.oidc import run_provider

    sso_module._discovered.clear()
    with run_provider(["http://testserver"]) as first:
        port = int(urlsplit(first.issuer).port or 0)
        settings.VEJUD_OIDC_PROVIDERS = first.vejud_settings("test")
        linked("anna", world.member_a, first, world.sysadmin)
        client = Client()
        assert sso_login(client, first, "anna").status_code == 302 and signed_in(client)
        old_keys = requests.get(first.issuer + "/jwks", timeout=5).json()["keys"]
    with run_provider(["http://testserver"], port=port) as rotated:
        new_keys = requests.get(rotated.issuer + "/jwks", timeout=5).json()["keys"]
        assert old_keys[0]["kid"] == new_keys[0]["kid"] and old_keys[0]["n"] != new_keys[0]["n"]
        client = Client()
        assert sso_login(client, rotated, "anna").status_code == 302 and signed_in(client)


def test_unlinking_ends_the_provider_verification_at_the_next_request(
    world: World, sso: OidcProvider
) -> None:
    """Unlinking raises the user's access generation: the session's kept verification is
    checked again at once and the provider's second factor no longer counts."""
    subject = linked("anna", world.member_a, sso, world.sysadmin)
    client = Client()
    sso_login(client, sso, "anna")
    assert client.get("/sager/").status_code == 200
    subject_link(actor=world.sysadmin, subject=subject, user=None)
    response = client.get("/sager/")
    assert response.status_code == 302 and "/konto/to-faktor/" in response["Location"]
    assert AuditEvent.objects.filter(action="account.sso_unlink", object_id=str(subject.pk))
