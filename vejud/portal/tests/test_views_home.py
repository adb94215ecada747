"""The front door, the health check and the error pages."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

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


def test_anonymous_visitor_gets_the_public_start_page_with_the_staff_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert reverse("accounts:login") in response.content.decode()
    assert reverse("frontdoor:contact") in response.content.decode()


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


def test_500_standalone_template_renders_without_context():
    from django.template import loader

    body = loader.get_template("500_standalone.html").render({})
    assert "Something went wrong" in body


def _failing_request(world, language="da"):
    """A signed-in request whose view failed: the handler's 500 page for it."""
    from django.test import RequestFactory

    from vejud.core.outage import server_error

    request = RequestFactory().get("/sager/")
    request.user = world.member_a
    request.session = {}
    request.LANGUAGE_CODE = language
    with translation.override(language):
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            return server_error(request)


def test_the_500_page_has_the_menu_in_the_users_language(world):
    response = _failing_request(world, "da")
    body = response.content.decode()
    assert response.status_code == 500
    assert "Der opstod en fejl" in body
    assert 'class="navigation-menu' in body or "Hovednavigation" in body
    english = _failing_request(world, "en").content.decode()
    assert "Something went wrong" in english


def test_the_500_page_falls_back_when_the_layout_fails(world, monkeypatch):
    from vejud.core import outage

    real = outage.loader.render_to_string

    def broken(name, *args, **kwargs):
        if name == "500.html":
            raise RuntimeError("the layout is broken too")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(outage.loader, "render_to_string", broken)
    response = _failing_request(world)
    assert response.status_code == 500
    assert "vejud" in response.content.decode()


@pytest.mark.parametrize("debug", [True, False])
def test_an_error_shows_the_500_page_in_every_mode(world, debug):
    client = verified_client(world.member_a)
    client.raise_request_exception = False
    with override_settings(DEBUG=debug, ROOT_URLCONF="vejud.portal.tests.urls_failing"):
        response = client.get("/boom/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "secret local detail" not in body and "Traceback" not in body
    assert "Something went wrong" in body or "Der opstod en fejl" in body
