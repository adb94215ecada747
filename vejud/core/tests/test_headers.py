"""Every response of the application forbids storing it and switches off unused browser features."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from vejud.accounts.tokens import token_create
from vejud.testing import make_case, verified_client


def assert_private(response) -> None:
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert "camera=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]


def test_a_case_page_and_the_caseload_are_not_stored(world, client):
    case = make_case(world.member_a, world.unit_a)
    client = verified_client(world.member_a, client)

    for path in (
        reverse("cases:detail", kwargs={"reference": case.reference}),
        reverse("portal:home"),
    ):
        response = client.get(path, follow=True)
        assert response.status_code == 200
        assert_private(response)


def test_the_login_page_and_a_redirect_are_not_stored(db, client):
    assert_private(client.get(reverse("accounts:login")))
    assert_private(client.get(reverse("portal:home")))  # the redirect to the login


def test_api_answers_are_not_stored(world):
    _token, raw = token_create(user=world.member_a, name="test")
    headers = {"Authorization": f"Bearer {raw}"}

    ok = Client().get("/api/v1/me", headers=headers)
    unauthenticated = Client().get("/api/v1/me")

    assert ok.status_code == 200
    assert ok.json()["email"] == world.member_a.email
    assert_private(ok)
    assert unauthenticated.status_code == 401
    assert_private(unauthenticated)


def test_a_view_that_already_forbids_storing_keeps_its_header(world, client):
    case = make_case(world.member_a, world.unit_a)
    response = verified_client(world.member_a, client).get(
        reverse("cases:detail", kwargs={"reference": case.reference})
    )

    assert response["Cache-Control"].count("no-store") == 1
