"""TOTP secrets and recovery codes are stored encrypted, rotate with the field keys, and the
devices django-otp stored in plain text are moved into the encrypted ones (issue 19)."""

from __future__ import annotations

from base64 import b32encode
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from vejud.accounts.models import AuthenticatorDevice, RecoveryCode, RecoveryCodeDevice
from vejud.accounts.services import (
    code_verify,
    recovery_codes_generate,
    totp_enrolment_confirm,
    totp_enrolment_start,
)
from vejud.accounts.tests.conftest import code_for, password_login
from vejud.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _raw(sql: str, params: list[int]) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _raw_key(device: AuthenticatorDevice) -> str:
    return _raw("SELECT key FROM accounts_authenticatordevice WHERE id = %s", [device.pk])[0]


def _raw_codes(user_id: int) -> list[str]:
    return _raw(
        "SELECT c.code FROM accounts_recoverycode c"
        " JOIN accounts_recoverycodedevice d ON d.id = c.device_id WHERE d.user_id = %s",
        [user_id],
    )


def _enrol(user: object, clock: object) -> tuple[AuthenticatorDevice, list[str]]:
    device = totp_enrolment_start(user=user)  # type: ignore[arg-type]
    codes = totp_enrolment_confirm(user=user, device=device, code=code_for(device))  # type: ignore[arg-type]
    device.refresh_from_db()
    return device, codes


def _assert_no_plain_secret(device: AuthenticatorDevice, codes: list[str]) -> None:
    raw = _raw_key(device)
    secret_b32 = b32encode(device.bin_key).decode()
    assert device.key not in raw and secret_b32.rstrip("=") not in raw
    assert raw.startswith("gAAAA")  # a Fernet token
    raw_codes = _raw_codes(device.user_id)
    assert len(raw_codes) == len(codes)
    assert not any(code in value for code in codes for value in raw_codes)


def test_the_columns_hold_no_secret_in_plain_text(world, clock):
    device, codes = _enrol(world.member_a, clock)
    _assert_no_plain_secret(device, codes)
    # The model reads the secret: a code from the app and a recovery code are accepted.
    clock.shift(30)
    assert code_verify(user=world.member_a, code=code_for(device)).recovery_codes_left is None
    assert code_verify(user=world.member_a, code=codes[0]).recovery_codes_left == len(codes) - 1
    new_codes = recovery_codes_generate(user=world.member_a)
    assert not any(code in value for code in new_codes for value in _raw_codes(world.member_a.pk))


def test_rotate_keys_rotates_second_factors_and_the_login_still_works(
    world, clock, client, settings
):
    device, codes = _enrol(world.member_a, clock)
    before = _raw_key(device)
    new_key = Fernet.generate_key().decode()
    settings.VEJUD_FIELD_KEYS = [new_key, *settings.VEJUD_FIELD_KEYS]
    out = StringIO()
    call_command("rotate-keys", stdout=out)
    assert "accounts.AuthenticatorDevice: 1 value(s) re-encrypted" in out.getvalue()
    assert f"accounts.RecoveryCode: {len(codes)} value(s) re-encrypted" in out.getvalue()
    after = _raw_key(device)
    assert after != before
    assert Fernet(new_key.encode()).decrypt(after.encode()).decode() == device.key
    assert AuditEvent.objects.filter(
        action="crypto.rotate", changes__model="accounts.AuthenticatorDevice"
    ).exists()
    call_command("rotate-keys", "--check", stdout=StringIO())
    _assert_no_plain_secret(device, codes)
    # Only the new key now: the login with password and TOTP works.
    settings.VEJUD_FIELD_KEYS = [new_key]
    clock.shift(30)
    assert password_login(client, world.member_a.email).status_code == 302
    response = client.post(reverse("accounts:otp_verify"), {"code": code_for(device)})
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_the_migration_moves_plaintext_devices_and_their_codes_still_work(world, clock):
    migration = __import__(
        "vejud.accounts.migrations.0004_encrypted_second_factors", fromlist=["move_devices"]
    )
    old = TOTPDevice.objects.create(user=world.member_b, name="default", confirmed=True, drift=1)
    static = StaticDevice.objects.create(user=world.member_b, name="recovery", confirmed=True)
    StaticToken.objects.create(device=static, token="abcd2345efgh")

    class Editor:
        connection = connection

    migration.move_devices(apps, Editor())
    assert not TOTPDevice.objects.exists() and not StaticToken.objects.exists()
    device = AuthenticatorDevice.objects.get(user=world.member_b)
    assert (device.key, device.name, device.drift) == (old.key, "default", 1)
    assert RecoveryCodeDevice.objects.get(user=world.member_b).name == "recovery"
    assert [c.code for c in RecoveryCode.objects.filter(device__user=world.member_b)] == [
        "abcd2345efgh"
    ]
    _assert_no_plain_secret(device, ["abcd2345efgh"])
    clock.shift(30)
    assert code_verify(user=world.member_b, code=code_for(device)).device == device
    assert code_verify(user=world.member_b, code="abcd2345efgh").recovery_codes_left == 0
