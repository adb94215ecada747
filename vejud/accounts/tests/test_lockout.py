"""Login throttling by django-axes: per account and per client address, with a clear page."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from vejud.accounts.tests.conftest import code_for, enrol, password_login
from vejud.testing import PASSWORD

LOCKED = "Too many failed sign-in attempts for this account from this network address."


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_four_failures_do_not_lock(world, clock):
    client = Client()
    for _ in range(4):
        assert password_login(client, world.member_a.email, "wrong password").status_code == 200
    response = password_login(client, world.member_a.email)
    assert response.status_code == 302
    assert _signed_in(client)


def test_five_failures_lock_the_account_from_that_address_only(world, clock):
    email = world.member_a.email
    for _ in range(4):
        assert password_login(Client(), email, "wrong", ip="10.0.1.1").status_code == 200
    fifth = password_login(Client(), email, "wrong", ip="10.0.1.1")
    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()

    client = Client()
    response = password_login(client, email, ip="10.0.1.1")  # right password, same address
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED in html
    assert "Wait 15 minutes and try again." in html
    assert 'class="skipnav"' in html  # a full page in the base layout
    assert not _signed_in(client)

    # The same account from another address, and other accounts from the same address, go on.
    elsewhere = Client()
    assert password_login(elsewhere, email, ip="10.0.1.99").status_code == 302
    assert _signed_in(elsewhere)
    colleague = Client()
    assert password_login(colleague, world.member_b.email, ip="10.0.1.1").status_code == 302


def test_failures_spread_over_addresses_do_not_lock_the_account(world, clock):
    email = world.member_a.email
    for n in range(1, 9):
        assert password_login(Client(), email, "wrong", ip=f"10.0.1.{n}").status_code == 200

    assert password_login(Client(), email, ip="10.0.1.1").status_code == 302


def test_one_person_failing_does_not_lock_out_the_office_behind_one_address(world, clock):
    names = ["member_b", "coordinator_a", "coordinator_b", "adviser", "head"]
    for name in names:
        for _ in range(5):
            password_login(Client(), getattr(world, name).email, "wrong", ip="203.0.113.9")

    client = Client()
    assert password_login(client, world.member_a.email, ip="203.0.113.9").status_code == 302
    assert _signed_in(client)
    assert password_login(Client(), world.member_b.email, ip="203.0.113.9").status_code == 429


def _behind_proxy(client: Client, email: str, password: str, forwarded: str, remote: str) -> int:
    response = client.post(
        reverse("accounts:login"),
        {"email": email, "password": password},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    return response.status_code


def test_behind_a_trusted_proxy_each_client_address_counts_on_its_own(world, clock, settings):
    settings.VEJUD_TRUSTED_PROXIES = ["10.9.0.0/24"]
    email = world.member_a.email
    for _ in range(5):
        _behind_proxy(Client(), email, "wrong", "198.51.100.7", remote="10.9.0.2")

    assert _behind_proxy(Client(), email, PASSWORD, "198.51.100.7", remote="10.9.0.2") == 429
    # Another client of the same proxy, with the same account: not locked.
    assert _behind_proxy(Client(), email, PASSWORD, "198.51.100.8", remote="10.9.0.2") == 302


def test_a_forwarded_address_from_an_untrusted_sender_is_ignored(world, clock, settings):
    settings.VEJUD_TRUSTED_PROXIES = ["10.9.0.0/24"]
    email = world.member_a.email
    for n in range(5):
        # A client rotating the header it sends itself: still one address, locked.
        _behind_proxy(Client(), email, "wrong", f"198.51.100.{n}", remote="192.0.2.50")

    assert _behind_proxy(Client(), email, PASSWORD, "198.51.100.77", remote="192.0.2.50") == 429


def test_lockout_lifts_after_the_cool_off(world, clock):
    for _ in range(5):
        password_login(Client(), world.member_a.email, "wrong")
    clock.shift(10 * 60)
    # An attempt during the lockout is refused, even with the right password (and
    # axes starts the cool-off again, so guessing on keeps the account locked).
    assert password_login(Client(), world.member_a.email).status_code == 429
    clock.shift(16 * 60)
    client = Client()
    assert password_login(client, world.member_a.email).status_code == 302
    assert _signed_in(client)


def test_failed_reauth_passwords_count_too(world, login, clock):
    user = world.member_a
    device = enrol(user)
    client = login(user, device)
    clock.shift(30)
    for _ in range(4):
        response = client.post(
            reverse("accounts:reauth"), {"password": "wrong", "code": code_for(device)}
        )
        assert response.status_code == 200
        assert "The password is wrong." in response.content.decode()
    response = client.post(reverse("accounts:reauth"), {"password": "wrong", "code": "123456"})
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
