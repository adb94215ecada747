"""The second factor: TOTP codes, throttling, recovery codes, and enrolment."""

from __future__ import annotations

import base64
import re
from base64 import b32encode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from vejud.accounts.models import AuthenticatorDevice, RecoveryCode
from vejud.accounts.services import (
    RECOVERY_CODE_COUNT,
    CodeRejected,
    code_verify,
    recovery_codes_generate,
)
from vejud.accounts.tests.conftest import code_for, enrol, password_login, wrong_code_for
from vejud.testing import verified_client

PROFILE = "/konto/profil/"
VERIFY = "/konto/to-faktor/"
SETUP = "/konto/to-faktor/opsaet/"


def _is_verified(client: Client) -> bool:
    return client.get(PROFILE).status_code == 200


def test_wrong_code_is_rejected(client, world, clock):
    device = enrol(world.member_a)
    password_login(client, world.member_a.email)
    response = client.post(VERIFY, {"code": wrong_code_for(device)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "The code is wrong or has expired." in html
    assert 'aria-describedby="id_code_error"' in html
    assert 'id="id_code_error"' in html
    assert not _is_verified(client)


def test_wrong_codes_are_throttled_with_a_clear_message(client, world, clock):
    device = enrol(world.member_a)
    password_login(client, world.member_a.email)
    client.post(VERIFY, {"code": wrong_code_for(device)})
    client.post(VERIFY, {"code": wrong_code_for(device)})  # refused unchecked: too soon

    response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 200
    assert "Too many wrong codes. Try again in 1 second." in response.content.decode()
    assert not _is_verified(client)

    clock.shift(2)
    response = client.post(VERIFY, {"code": code_for(device)})
    assert response.status_code == 302
    assert _is_verified(client)


def test_the_wait_after_wrong_codes_is_capped(world, clock, settings):
    settings.VEJUD_MFA_THROTTLE_MAX_SECONDS = 300
    device = enrol(world.member_a)
    waits = []
    for _ in range(20):  # someone who knows the password keeps entering wrong codes
        with pytest.raises(CodeRejected):
            code_verify(user=world.member_a, code=wrong_code_for(device))
        with pytest.raises(CodeRejected) as refused:
            code_verify(user=world.member_a, code=code_for(device))
        assert refused.value.locked_until is not None
        seconds = round((refused.value.locked_until - timezone.now()).total_seconds())
        waits.append(seconds)
        clock.shift(seconds)

    assert waits[:4] == [1, 2, 4, 8]
    assert max(waits) == 256  # doubling stops below the cap (it was 2**19 s after 20 codes)
    assert waits[-5:] == [256] * 5
    device.refresh_from_db()
    assert device.throttling_failure_count == 9
    # After at most the capped wait the owner gets in with the right code.
    assert code_verify(user=world.member_a, code=code_for(device)).device == device


def test_a_code_cannot_be_used_twice(world, clock):
    device = enrol(world.member_a)
    first, second = Client(), Client()
    password_login(first, world.member_a.email)
    password_login(second, world.member_a.email)
    code = code_for(device)
    assert first.post(VERIFY, {"code": code}).status_code == 302
    response = second.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert not _is_verified(second)


def test_recovery_code_works_once(world, clock):
    user = world.member_a
    enrol(user)
    codes = recovery_codes_generate(user=user)
    assert len(codes) == RECOVERY_CODE_COUNT

    client = Client()
    password_login(client, user.email)
    spaced = f"{codes[0][:4]}-{codes[0][4:].upper()}"  # as printed, typed in capitals
    response = client.post(VERIFY, {"code": spaced}, follow=True)
    assert response.status_code == 200
    assert "You used a recovery code. 9 are left" in response.content.decode()
    assert _is_verified(client)

    clock.shift(5)
    again = Client()
    password_login(again, user.email)
    response = again.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 200
    assert "The code is wrong or has expired." in response.content.decode()
    assert not _is_verified(again)
    assert RecoveryCode.objects.filter(device__user=user).count() == RECOVERY_CODE_COUNT - 1


def test_other_users_recovery_code_does_not_work(world, clock):
    enrol(world.member_a)
    enrol(world.member_b)
    codes_b = recovery_codes_generate(user=world.member_b)
    client = Client()
    password_login(client, world.member_a.email)
    assert client.post(VERIFY, {"code": codes_b[0]}).status_code == 200
    assert not _is_verified(client)


def test_setup_shows_a_qr_code_and_the_secret(client, world, clock):
    password_login(client, world.member_a.email)
    response = client.get(SETUP)
    assert response.status_code == 200
    html = response.content.decode()

    device = AuthenticatorDevice.objects.get(user=world.member_a)
    assert not device.confirmed
    match = re.search(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)" alt="[^"]+"', html)
    assert match, "QR code image missing"
    assert b"<svg" in base64.b64decode(match.group(1))
    secret = b32encode(device.bin_key).decode().rstrip("=")
    assert secret[:4] + " " + secret[4:8] in html
    # Revisiting shows the same pending device, not a new one each time.
    client.get(SETUP)
    assert AuthenticatorDevice.objects.filter(user=world.member_a).count() == 1


def test_setup_confirms_and_shows_ten_recovery_codes_once(client, world, clock):
    password_login(client, world.member_a.email, next_url=PROFILE)
    client.get(SETUP)
    device = AuthenticatorDevice.objects.get(user=world.member_a)

    response = client.post(SETUP, {"code": code_for(device), "next": PROFILE})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    device.refresh_from_db()
    assert device.confirmed
    stored = set(
        RecoveryCode.objects.filter(device__user=world.member_a).values_list("code", flat=True)
    )
    assert len(stored) == RECOVERY_CODE_COUNT
    html = response.content.decode()
    for token in stored:
        assert f"{token[:4]}-{token[4:]}" in html
    assert f'href="{PROFILE}"' in html
    assert _is_verified(client)


def test_setup_wrong_code_keeps_the_device_unconfirmed(client, world, clock):
    password_login(client, world.member_a.email)
    client.get(SETUP)
    device = AuthenticatorDevice.objects.get(user=world.member_a)
    response = client.post(SETUP, {"code": wrong_code_for(device)})
    assert response.status_code == 200
    assert "The code is wrong or has expired." in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not _is_verified(client)


def test_setup_cannot_replace_an_existing_authenticator(client, world, clock):
    enrol(world.member_a)
    password_login(client, world.member_a.email)
    response = client.get(SETUP)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    response = client.post(SETUP, {"code": "123456"})
    assert response.status_code == 302
    assert AuthenticatorDevice.objects.filter(user=world.member_a).count() == 1
    assert not _is_verified(client)


def test_regenerating_recovery_codes_needs_reauth_and_replaces_the_old(world, login, clock):
    user = world.member_a
    device = enrol(user)
    old = recovery_codes_generate(user=user)
    client = login(user, device)
    url = reverse("accounts:recovery_codes")

    clock.shift(10 * 60)  # the login's own confirmation has lapsed
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauth"))

    clock.shift(30)
    client.post(
        reverse("accounts:reauth"),
        {"password": "correct horse battery staple", "code": code_for(device), "next": url},
    )
    page = client.get(url)
    assert page.status_code == 200
    assert "You have 10 unused recovery codes." in page.content.decode()

    response = client.post(url)
    assert response.status_code == 200
    new = set(RecoveryCode.objects.filter(device__user=user).values_list("code", flat=True))
    assert len(new) == RECOVERY_CODE_COUNT
    assert not new & set(old)
    assert "Your earlier recovery codes no longer work." in response.content.decode()


def test_recovery_codes_page_wrong_method(world, login):
    user = world.member_a
    client = login(user, enrol(user))
    assert client.delete(reverse("accounts:recovery_codes")).status_code == 405


def test_the_coordinator_sees_wrong_codes_of_the_units_members(world, clock):
    device = enrol(world.member_a)
    for _ in range(3):
        with pytest.raises(CodeRejected):
            code_verify(user=world.member_a, code=wrong_code_for(device))
        clock.shift(10)
    with pytest.raises(CodeRejected):
        code_verify(user=world.member_a, code=wrong_code_for(device))
    enrol(world.member_b)  # no wrong codes: not listed

    own = verified_client(world.coordinator_a).get(PROFILE).content.decode()
    other_unit = verified_client(world.coordinator_b).get(PROFILE).content.decode()
    member = verified_client(world.member_b).get(PROFILE).content.decode()

    assert "Wrong second-factor codes in your units" in own
    rows = re.findall(r'<th scope="row">([^<]+)</th>\s*<td>([^<]+)</td>\s*<td>(\d+)</td>', own)
    assert rows == [(world.member_a.full_name, world.member_a.email, "4")]
    assert "Wrong second-factor codes in your units" not in other_unit
    assert world.member_a.email not in other_unit
    assert "Wrong second-factor codes in your units" not in member
