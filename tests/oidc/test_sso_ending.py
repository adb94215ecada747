"""A provider ends access (issue 20): OpenID Connect Back-Channel Logout from the real
``oidc-provider`` (its administrator disables an account: it posts a signed logout token),
a re-authentication the provider refuses, and every refused provider login in the audit trail.

The provider cannot reach Django's test client, so its logout tokens are caught by a small
receiver (``OidcProvider.captured``) and handed to vejud's back-channel address here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import jwt
import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from django.utils import timezone

from vejud.accounts.decorators import REAUTH_AT_KEY
from vejud.accounts.models import ApiToken, ProviderEvent, ProviderSubject, User
from vejud.accounts.sso import subject_link
from vejud.accounts.tokens import token_create
from vejud.audit.models import AuditEvent
from vejud.testing import World
from vejud.testing.oidc import OidcProvider, callback_path

pytestmark = pytest.mark.django_db

LOGOUT = "/konto/sso/test/log-ud/"


@pytest.fixture
def erik(sso: OidcProvider) -> Iterator[str]:
    """An account the test disables at the provider (enabled again afterwards)."""
    yield "erik"
    sso.enable("erik")


def link(sub: str, user: User, provider: OidcProvider, actor: User) -> ProviderSubject:
    subject = ProviderSubject.objects.create(
        name="test", issuer=provider.issuer, subject=sub, confirmed=False
    )
    return subject_link(actor=actor, subject=subject, user=user)


def sso_login(client: Client, provider: OidcProvider, sub: str, **params: str) -> Any:
    response = client.get("/konto/sso/test/", {"next": "/sager/", **params})
    assert response.status_code == 302
    return client.get(callback_path(provider.log_in(str(response["Location"]), sub)))


def api_token(user: User) -> dict[str, str]:
    _token, raw = token_create(user=user, name="script", expires_at=timezone.now() + timedelta(1))
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def refusals(reason: str) -> list[dict[str, Any]]:
    return [
        e.changes
        for e in AuditEvent.objects.filter(action="account.sso_refused").order_by("pk")
        if e.changes.get("reason") == reason
    ]


def test_disabled_at_the_provider_ends_sessions_and_tokens(
    world: World, sso: OidcProvider, erik: str
) -> None:
    user = world.member_a
    link(erik, user, sso, world.sysadmin)
    browser, other_browser = Client(), Client()
    assert sso_login(browser, sso, erik).status_code == 302
    assert sso_login(other_browser, sso, erik).status_code == 302
    api = api_token(user)
    assert browser.get("/sager/").status_code == 200
    assert Client().get("/api/v1/cases", **api).status_code == 200

    tokens = sso.disable(erik)
    assert len(tokens) == 1
    claims = jwt.decode(tokens[0], options={"verify_signature": False})
    assert claims["sub"] == erik and "nonce" not in claims and claims["jti"]
    response = Client().post(LOGOUT, {"logout_token": tokens[0]})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")

    for ended in (browser, other_browser):
        assert ended.get("/sager/")["Location"].startswith("/konto/log-ind/")
    assert Client().get("/api/v1/cases", **api).status_code == 401
    assert not ApiToken.objects.usable().filter(user=user).exists()
    event = AuditEvent.objects.get(action="account.access_end", object_id=str(user.pk))
    assert event.changes == {
        "reason": "provider_logout",
        "sessions_ended": 2,
        "tokens_revoked": 1,
        "provider": "test",
    }
    assert AuditEvent.objects.filter(action="account.sso_backchannel_logout").count() == 1

    # The same logout token again: refused (jti seen), and recorded.
    replay = Client().post(LOGOUT, {"logout_token": tokens[0]})
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_request"
    assert refusals("logout_jti")

    # The provider now refuses the account's login: no session, the refusal in the trail.
    again = Client()
    response = sso_login(again, sso, erik)
    assert response.status_code == 400 and not signed_in(again)
    assert "did not complete the sign-in" in response.content.decode()
    assert refusals("error")[-1] == {
        "provider": "test",
        "reason": "error",
        "error": "access_denied",
    }


def test_logout_tokens_are_checked(world: World, sso: OidcProvider, erik: str) -> None:
    """Signature by a published key, audience, events, age and a fresh jti; an ID token is
    not a logout token. Nothing ends for a refused one."""
    user = world.member_a
    link(erik, user, sso, world.sysadmin)
    browser = Client()
    sso_login(browser, sso, erik)
    token = sso.disable(erik)[0]
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    own_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, own_key, algorithm="RS256", headers={"kid": header["kid"]})
    head, _body, signature = token.split(".")
    other_body = jwt.utils.base64url_encode(json.dumps({**claims, "sub": "anna"}).encode())
    tampered = f"{head}.{other_body.decode()}.{signature}"

    def refused(path: str, logout_token: str) -> bool:
        return Client().post(path, {"logout_token": logout_token}).status_code == 400

    assert refused(LOGOUT, forged)
    assert refused(LOGOUT, tampered)
    assert refused(LOGOUT, "not-a-token")
    assert refused("/konto/sso/wrongaud/log-ud/", token)  # issued for client vejud-test
    assert refused("/konto/sso/nosuch/log-ud/", token)
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        assert refused(LOGOUT, token)  # issued too long ago
    assert browser.get("/sager/").status_code == 200  # nothing ended so far
    refused_events = AuditEvent.objects.filter(action="account.sso_refused").order_by("pk")
    reasons = [e.changes["reason"] for e in refused_events]
    assert reasons == [
        "logout_signature",  # signed by another key under the provider's key id
        "logout_signature",  # tampered
        "logout_key",  # not a token: no key to find
        "logout_aud",
        "logout_unknown_provider",
        "logout_expired",  # its exp (or an iat more than five minutes ago)
    ]
    for event in AuditEvent.objects.filter(action="account.sso_refused"):
        assert "eyJ" not in json.dumps(event.changes)  # never a token in the trail
    assert Client().post(LOGOUT, {"logout_token": token}).status_code == 200
    assert browser.get("/sager/")["Location"].startswith("/konto/log-ind/")
    assert ProviderEvent.objects.filter(kind="logout", subject=erik).count() == 1


def test_an_id_token_is_not_a_logout_token(world: World, sso: OidcProvider) -> None:
    link("anna", world.member_a, sso, world.sysadmin)
    browser = Client()
    sso_login(browser, sso, "anna")
    id_token = browser.session["vejud_sso"]["id_token"]
    response = Client().post(LOGOUT, {"logout_token": id_token})
    assert response.status_code == 400
    assert browser.get("/sager/").status_code == 200


def test_a_refused_reauthentication_ends_access(world: World, sso: OidcProvider) -> None:
    """The provider refuses to confirm the signed-in user again (the account was disabled
    there, its logout token never arrived): every session and API token of the user ends."""
    user = world.member_b
    link("frida", user, sso, world.sysadmin)
    browser = Client()
    sso_login(browser, sso, "frida")
    api = api_token(user)
    session = browser.session
    session[REAUTH_AT_KEY] = 0
    session.save()
    try:
        sso.disable("frida")  # its logout token is caught and not delivered
        response = sso_login(browser, sso, "frida", reauth="1", next="/konto/api-noegler/ny/")
    finally:
        sso.enable("frida")
    assert response.status_code == 400
    page = response.content.decode()
    assert "refused to confirm your login" in page and "You are not signed in" in page
    assert not signed_in(browser)
    assert Client().get("/api/v1/cases", **api).status_code == 401
    event = AuditEvent.objects.get(action="account.access_end", object_id=str(user.pk))
    assert event.changes["reason"] == "reauth_refused" and event.changes["tokens_revoked"] == 1
    assert refusals("refused_reauth")[-1]["error"] == "access_denied"


@pytest.mark.parametrize(
    ("name", "reason"),
    [("wrongaud", "aud"), ("expired", "expired"), ("unknownkey", "key")],
)
def test_refused_logins_are_in_the_audit_trail(
    world: World, sso: OidcProvider, name: str, reason: str
) -> None:
    link("anna", world.member_a, sso, world.sysadmin)
    client = Client()
    response = client.get(f"/konto/sso/{name}/", {"next": "/sager/"})
    callback = callback_path(sso.log_in(str(response["Location"]), "anna"))
    assert client.get(callback).status_code == 400
    assert refusals(reason) == [{"provider": name, "reason": reason}]
    # The replayed callback (state used) is refused and recorded as well.
    assert client.get(callback).status_code == 400
    assert refusals("state") == [{"provider": name, "reason": "state"}]
    for event in AuditEvent.objects.filter(action="account.sso_refused"):
        assert "code" not in event.changes and "eyJ" not in json.dumps(event.changes)


def test_refused_nonce_and_deactivated_user_are_in_the_audit_trail(
    world: World, sso: OidcProvider
) -> None:
    link("anna", world.member_a, sso, world.sysadmin)
    client = Client()
    response = client.get("/konto/sso/test/", {"next": "/sager/"})
    callback = callback_path(sso.log_in(str(response["Location"]), "anna"))
    session = client.session
    states = session["oidc_states"]
    for flow in states.values():
        flow["nonce"] = "another"
    session["oidc_states"] = states
    session.save()
    assert client.get(callback).status_code == 400
    assert refusals("nonce") == [{"provider": "test", "reason": "nonce"}]
    User.objects.filter(pk=world.member_a.pk).update(is_active=False)
    assert sso_login(Client(), sso, "anna").status_code == 400
    assert refusals("deactivated") == [
        {"provider": "test", "reason": "deactivated", "subject": "anna"}
    ]
    # An unlinked subject's login is in the trail as such, and as a refusal.
    assert sso_login(Client(), sso, "dorte").status_code == 403
    assert AuditEvent.objects.filter(action="account.sso_unlinked").exists()
    assert refusals("unlinked") == [{"provider": "test", "reason": "unlinked", "subject": "dorte"}]


def test_a_provider_login_counts_as_seen_for_the_inactivity_job(
    world: World, sso: OidcProvider
) -> None:
    """vejud sso-deactivate-inactive goes by the last login: a provider login renews it, so an
    active provider user stays; one not seen for VEJUD_OIDC_INACTIVE_DAYS is deactivated and
    their session ends (tokens too: tests/oidc/test_sso.py)."""
    from django.core.management import call_command

    user = world.member_a
    link("anna", user, sso, world.sysadmin)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now() - timedelta(days=200))
    browser = Client()
    sso_login(browser, sso, "anna")
    user.refresh_from_db()
    assert user.last_login is not None and timezone.now() - user.last_login < timedelta(minutes=1)
    call_command("sso-deactivate-inactive")
    user.refresh_from_db()
    assert user.is_active and browser.get("/sager/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        call_command("sso-deactivate-inactive")
        user.refresh_from_db()
        assert not user.is_active
        assert browser.get("/sager/")["Location"].startswith("/konto/log-ind/")
