"""Fixtures for the account tests: a frozen clock, enrolled users, real logins."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp

from vejud.accounts.models import AuthenticatorDevice, User
from vejud.testing import PASSWORD

START = datetime(2025, 3, 3, 8, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _password_login_on(settings: Any) -> None:
    """These tests are of the password login: on, whatever VEJUD_PASSWORD_LOGIN says (its
    switching off is tested in tests/oidc/test_sso.py)."""
    settings.VEJUD_PASSWORD_LOGIN = True


def code_for(device: AuthenticatorDevice) -> str:
    """Return the code the user's authenticator app shows right now."""
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{value:0{device.digits}d}"


def wrong_code_for(device: AuthenticatorDevice) -> str:
    """Return a six-digit code that is not valid in the current window (tolerance 1)."""
    device.refresh_from_db()
    valid = {
        totp(device.bin_key, device.step, device.t0, device.digits, device.drift + d)
        for d in (-1, 0, 1)
    }
    candidate = 0
    while candidate in valid:
        candidate += 1
    return f"{candidate:06d}"


def enrol(user: User) -> AuthenticatorDevice:
    """Give ``user`` a confirmed authenticator app."""
    return AuthenticatorDevice.objects.create(user=user, name="default", confirmed=True)


def password_login(
    client: Client,
    email: str,
    password: str = PASSWORD,
    *,
    next_url: str | None = None,
    ip: str = "10.0.0.1",
    agent: str = "TestBrowser/1.0",
) -> Any:
    data = {"email": email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post(
        reverse("accounts:login"), data, REMOTE_ADDR=ip, headers={"User-Agent": agent}
    )


@pytest.fixture
def clock(time_machine: Any) -> Any:
    """Freeze time at a known instant; ``clock.shift(seconds)`` moves it on."""
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture
def login(clock: Any) -> Callable[..., Client]:
    """Return ``login(user, device, ip=..., agent=...)`` → a client signed in with password + TOTP."""

    def do(
        user: User, device: AuthenticatorDevice, *, ip: str = "10.0.0.1", agent: str = "Test/1"
    ) -> Client:
        # A TOTP code is accepted once: move to a fresh time step for every login.
        clock.shift(30)
        client = Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
        response = password_login(client, user.email, ip=ip, agent=agent)
        assert response.status_code == 302, response
        response = client.post(reverse("accounts:otp_verify"), {"code": code_for(device)})
        assert response.status_code == 302, response.content
        return client

    return do
