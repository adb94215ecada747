"""Personal API tokens in the UI and the ``token`` management command."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from vejud.accounts.models import ApiToken
from vejud.accounts.tests.conftest import enrol
from vejud.accounts.tokens import token_create, user_for_token
from vejud.audit.models import AuditEvent
from vejud.testing import verified_client

TOKENS = "/konto/api-noegler/"
TOKEN_NEW = "/konto/api-noegler/ny/"


def test_tokens_page_lists_only_own_tokens(world):
    token_create(user=world.member_a, name="Mine")
    token_create(user=world.member_b, name="Theirs")
    client = verified_client(world.member_a)
    response = client.get(TOKENS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mine" in html
    assert "Theirs" not in html


def test_create_token_shows_it_once(world, login):
    client = login(world.member_a, enrol(world.member_a))
    response = client.post(TOKEN_NEW, {"name": "Report script", "days": 30})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=world.member_a)
    html = response.content.decode()
    raw = html.split('id="new-token" type="text" value="', 1)[1].split('"', 1)[0]
    assert token.token_hash == ApiToken.hash_token(raw)
    assert user_for_token(raw) == world.member_a
    assert token.expires_at == timezone.now() + timedelta(days=30)
    assert raw not in client.get(TOKENS).content.decode()
    assert AuditEvent.objects.filter(action="account.token_create").count() == 1


def test_create_token_needs_a_name(world, login):
    client = login(world.member_a, enrol(world.member_a))
    response = client.post(TOKEN_NEW, {"name": "  ", "days": 30})
    assert response.status_code == 200
    assert 'aria-describedby="id_name_helptext id_name_error"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_create_token_limits_the_lifetime(world, login):
    client = login(world.member_a, enrol(world.member_a))
    response = client.post(TOKEN_NEW, {"name": "Forever", "days": 5000})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()


def test_revoke_own_token(world):
    token, raw = token_create(user=world.member_a, name="Old")
    client = verified_client(world.member_a)
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert user_for_token(raw) is None
    assert "Revoked" in client.get(TOKENS).content.decode()


def test_someone_elses_token_is_404(world):
    token, raw = token_create(user=world.member_b, name="Theirs")
    client = verified_client(world.member_a)
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    assert user_for_token(raw) == world.member_b


def test_revoking_a_token_asks_first(world):
    """The list's "Revoke" is a link: its page asks, and only its POST button revokes."""
    token, raw = token_create(user=world.member_a, name="Build script")
    client = verified_client(world.member_a)
    url = reverse("accounts:token_revoke", args=[token.pk])
    listing = client.get(TOKENS).content.decode()
    assert f'href="{url}"' in listing
    assert f'action="{url}"' not in listing

    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<form method="post" action="{url}"' in html
    assert "Build script" in html and "Yes, revoke the token" in html
    assert f'href="{TOKENS}"' in html
    token.refresh_from_db()
    assert token.revoked_at is None
    assert user_for_token(raw) == world.member_a

    client.post(url)
    assert user_for_token(raw) is None


def test_revoke_wrong_method_is_405(world):
    token, _raw = token_create(user=world.member_a, name="Old")
    client = verified_client(world.member_a)
    assert client.put(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405


def test_someone_elses_token_confirmation_is_404(world):
    token, _raw = token_create(user=world.member_b, name="Theirs")
    client = verified_client(world.member_a)
    assert client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404


def test_command_creates_a_token_and_prints_it_once(world):
    out, err = StringIO(), StringIO()
    call_command(
        "token",
        "create",
        "--user",
        "Member_A@test.vejud.dk",
        "--name",
        "cron",
        "--days",
        "7",
        stdout=out,
        stderr=err,
    )
    raw = out.getvalue().strip()
    assert raw.startswith(ApiToken.PREFIX)
    assert user_for_token(raw) == world.member_a
    token = ApiToken.objects.get(user=world.member_a)
    assert token.name == "cron"
    assert token.expires_at is not None
    assert raw not in err.getvalue()
    assert "shown only this once" in err.getvalue()


def test_command_lists_and_revokes_by_hint(world):
    token, raw = token_create(user=world.member_a, name="cron")
    out = StringIO()
    call_command("token", "list", "--user", world.member_a.email, stdout=out)
    assert f"{token.hint}\tcron\tusable" in out.getvalue()
    assert raw not in out.getvalue()

    out = StringIO()
    call_command(
        "token", "revoke", "--user", world.member_a.email, "--hint", token.hint, stdout=out
    )
    assert "Revoked" in out.getvalue()
    assert user_for_token(raw) is None


def test_command_revokes_by_the_whole_token(world):
    _token, raw = token_create(user=world.member_a, name="cron")
    call_command(
        "token", "revoke", "--user", world.member_a.email, "--hint", raw, stdout=StringIO()
    )
    assert user_for_token(raw) is None


def test_command_refuses_another_users_hint(world):
    token, raw = token_create(user=world.member_b, name="theirs")
    with pytest.raises(CommandError):
        call_command("token", "revoke", "--user", world.member_a.email, "--hint", token.hint)
    assert user_for_token(raw) == world.member_b


def test_command_refuses_an_unknown_user(world):
    with pytest.raises(CommandError):
        call_command("token", "create", "--user", "nobody-at-all@test.vejud.dk")


def test_a_token_lives_the_default_lifetime_unless_told_otherwise(world, settings, clock):
    settings.VEJUD_API_TOKEN_DAYS = 30
    token, _raw = token_create(user=world.member_a, name="Default")

    assert token.expires_at == timezone.now() + timedelta(days=30)


def test_a_token_may_not_outlive_the_operators_maximum(world, settings):
    settings.VEJUD_API_TOKEN_MAX_DAYS = 90
    with pytest.raises(ValidationError, match="at most 90 days"):
        token_create(
            user=world.member_a, name="Long", expires_at=timezone.now() + timedelta(days=91)
        )
    assert not ApiToken.objects.exists()


def test_the_form_offers_the_operators_limits(world, login, settings, clock):
    settings.VEJUD_API_TOKEN_DAYS = 14
    settings.VEJUD_API_TOKEN_MAX_DAYS = 60
    client = login(world.member_a, enrol(world.member_a))

    page = client.get(TOKEN_NEW).content.decode()
    too_long = client.post(TOKEN_NEW, {"name": "Script", "days": 61})

    assert 'value="14"' in page
    assert 'max="60"' in page
    assert "At most 60 days." in page
    assert too_long.status_code == 200
    assert not ApiToken.objects.exists()
    assert client.post(TOKEN_NEW, {"name": "Script", "days": 60}).status_code == 200
    assert ApiToken.objects.get().expires_at == timezone.now() + timedelta(days=60)


def test_lowering_the_maximum_ends_older_tokens(world, settings):
    token, raw = token_create(user=world.member_a, name="Old")
    ApiToken.objects.filter(pk=token.pk).update(created_at=timezone.now() - timedelta(days=40))

    settings.VEJUD_API_TOKEN_MAX_DAYS = 60
    assert user_for_token(raw) == world.member_a
    settings.VEJUD_API_TOKEN_MAX_DAYS = 30
    assert user_for_token(raw) is None


def test_the_command_refuses_a_lifetime_over_the_maximum(world, settings):
    settings.VEJUD_API_TOKEN_MAX_DAYS = 90
    with pytest.raises(CommandError, match="at most 90 days"):
        call_command(
            "token", "create", "--user", world.member_a.email, "--days", "366", stdout=StringIO()
        )
