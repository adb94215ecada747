"""The user's own profile page and language switch."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vejud.testing import CAST, verified_client

PROFILE = "/konto/profil/"
LANGUAGE = "/konto/profil/sprog/"


def test_profile_shows_name_email_and_memberships(world):
    client = verified_client(world.member_a)
    response = client.get(PROFILE)
    assert response.status_code == 200
    html = response.content.decode()
    assert world.member_a.full_name in html
    assert world.member_a.email in html
    assert "Test Exit Unit A" in html
    assert "Unit member" in html
    assert "Municipality" in html or "municipality" in html.lower()
    assert "Test Exit Unit B" not in html
    for name in ("sessions", "tokens"):
        assert reverse(f"accounts:{name}") in html


@pytest.mark.parametrize("name", [*CAST, "nobody"])
def test_every_user_sees_their_own_profile(world, name):
    client = verified_client(getattr(world, name))
    assert client.get(PROFILE).status_code == 200
    assert client.get(reverse("accounts:sessions")).status_code == 200
    assert client.get(reverse("accounts:tokens")).status_code == 200


def test_profile_wrong_method_is_405(world):
    client = verified_client(world.member_a)
    assert client.post(PROFILE).status_code == 405


def test_language_switch_is_saved_and_used(world):
    user = world.member_a
    user.language = "da"
    user.save(update_fields=["language"])
    client = verified_client(user)
    assert '<html lang="da">' in client.get(PROFILE).content.decode()

    response = client.post(LANGUAGE, {"language": "en"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    html = client.get(PROFILE).content.decode()
    assert '<html lang="en">' in html
    assert 'value="en" checked' in html

    client.post(LANGUAGE, {"language": "da"})
    user.refresh_from_db()
    assert user.language == "da"


def test_language_switch_refuses_unknown_languages(world):
    user = world.member_a
    client = verified_client(user)
    response = client.post(LANGUAGE, {"language": "xx"}, follow=True)
    assert "Choose one of the languages." in response.content.decode()
    user.refresh_from_db()
    assert user.language == "en"


def test_language_switch_is_post_only(world):
    client = verified_client(world.member_a)
    assert client.get(LANGUAGE).status_code == 405
