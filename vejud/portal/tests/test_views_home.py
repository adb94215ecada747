"""The front door, the health check and the error pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vejud.accounts.models import User
from vejud.testing import verified_client


@pytest.fixture(autouse=True)
def _english(world):
    """Let the assertions read the English msgids, whatever the Danish catalogue says."""
    User.objects.update(language="en")


def test_caseworker_is_sent_to_the_caseload(world):
    response = verified_client(world.member_a).get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:caseload")


def test_mentor_is_sent_to_the_caseload(world):
    assert verified_client(world.mentor).get("/")["Location"] == reverse("cases:caseload")


@pytest.mark.parametrize(
    ("role", "target"),
    [
        ("auditor", "audit:events"),
        ("sysadmin", "admin:index"),
        ("nobody", "accounts:profile"),
    ],
)
def test_others_go_to_their_first_page(world, role, target):
    response = verified_client(getattr(world, role)).get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse(target)


def test_analyst_without_case_access_is_not_sent_to_the_caseload(world):
    location = verified_client(world.analyst).get("/")["Location"]
    assert location != reverse("cases:caseload")


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_home_post_not_allowed(world):
    assert verified_client(world.member_a).post("/").status_code == 405


def test_healthz_is_public_and_checks_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_reports_a_database_failure(client, db, monkeypatch):
    from django.db import DatabaseError

    from vejud.portal import views

    class Broken:
        def cursor(self):
            raise DatabaseError("down")

    monkeypatch.setattr(views, "connection", Broken())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error"}


def test_healthz_post_not_allowed(client, db):
    assert client.post("/healthz").status_code == 405


def test_unknown_page_renders_the_404_template(world):
    response = verified_client(world.member_a).get("/findes-ikke/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_403_page_uses_the_layout(world):
    response = verified_client(world.analyst).get(reverse("cases:caseload"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "Access denied" in body
    assert "dkfds" in body


def test_500_template_renders_without_context():
    from django.template import loader

    body = loader.get_template("500.html").render({})
    assert "Something went wrong" in body


def test_healthz_answers_head(client, db):
    assert client.head("/healthz").status_code == 200


def test_htmx_keeps_no_page_snapshots_in_the_browser(world):
    # Names and CPR numbers shown on request must not be cached in localStorage by htmx.
    body = verified_client(world.member_a).get(reverse("cases:caseload")).content.decode()
    assert '"historyCacheSize": 0' in body


def test_ping_shows_the_users_own_name(world):
    response = verified_client(world.member_a).get(reverse("portal:ping"))
    assert response.status_code == 200
    assert world.member_a.full_name in response.content.decode()


def test_ping_sends_a_visitor_to_login(client, db):
    response = client.get(reverse("portal:ping"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("path", ["/sager/EX-1999-99999/", "/no-such-page/", "/sager/x/y/z/"])
def test_with_debug_on_a_404_is_vejuds_page_not_the_url_list(world, settings, path):
    """The demo runs with DEBUG on: Django's technical 404 would list every URL pattern."""
    settings.DEBUG = True
    client = verified_client(world.member_a)
    response = client.get(path)
    body = response.content.decode()
    assert response.status_code == 404
    assert "URLconf" not in body and "sager/<str:reference>" not in body
    assert '<main id="main-content"' in body  # vejud's layout, with the menu
    with_debug_off = verified_client(world.member_a)
    settings.DEBUG = False
    assert with_debug_off.get(path).status_code == 404


def test_with_debug_on_the_api_keeps_its_json_404(world, settings):
    from vejud.testing.api import JsonApi

    settings.DEBUG = True
    response = JsonApi(world.member_a, raise_errors=False).get("/api/v1/cases/EX-1999-99999")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
