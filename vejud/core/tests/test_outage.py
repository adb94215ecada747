"""A database outage answers 503 with Retry-After; a committed write is never reported as failed.

These tests make every query fail the way a stopped PostgreSQL does (``OperationalError``);
``tests/test_outage.py`` stops a real PostgreSQL cluster under a running gunicorn.
"""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from vejud.accounts.middleware import LAST_SEEN_KEY
from vejud.accounts.tokens import token_create
from vejud.cases.models import JournalEntry
from vejud.testing import make_case, verified_client


def database_down(execute, sql, params, many, context):
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


def test_a_page_during_an_outage_answers_503_with_a_calm_page(world):
    case = make_case(world.member_a, world.unit_a)
    client = verified_client(world.member_a, Client(raise_request_exception=False))

    with connection.execute_wrapper(database_down):
        response = client.get(reverse("cases:detail", kwargs={"reference": case.reference}))

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "Temporarily unavailable" in page
    assert "Nothing you saved before this page appeared is lost." in page
    assert "Server error" not in page
    assert "Traceback" not in page


def test_the_outage_page_is_danish_for_a_danish_reader(world):
    case = make_case(world.member_a, world.unit_a)
    client = Client(raise_request_exception=False, headers={"Accept-Language": "da"})
    client = verified_client(world.member_a, client)
    translation.activate("da")

    with connection.execute_wrapper(database_down):
        response = client.get(reverse("cases:detail", kwargs={"reference": case.reference}))

    assert response.status_code == 503
    assert "Midlertidigt utilgængelig" in response.content.decode()


def test_the_api_during_an_outage_answers_503_with_a_problem_body(world):
    _token, raw = token_create(user=world.member_a, name="test")
    client = Client(raise_request_exception=False, headers={"Authorization": f"Bearer {raw}"})

    with connection.execute_wrapper(database_down):
        response = client.get("/api/v1/me")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 503
    assert body["title"] == "Service unavailable"
    assert "Try again shortly" in body["detail"]


def test_after_the_outage_the_same_client_is_served_again(world):
    case = make_case(world.member_a, world.unit_a)
    client = verified_client(world.member_a, Client(raise_request_exception=False))
    path = reverse("cases:detail", kwargs={"reference": case.reference})

    with connection.execute_wrapper(database_down):
        assert client.get(path).status_code == 503

    assert client.get(path).status_code == 200


def test_other_errors_still_answer_500(world):
    client = verified_client(world.member_a, Client(raise_request_exception=False))

    with mock.patch("vejud.portal.views.User.objects.filter", side_effect=ValueError("bug")):
        response = client.get(reverse("portal:ping"))

    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


@pytest.mark.parametrize(
    "failure",
    [OperationalError("server closed the connection unexpectedly"), UpdateError()],
    ids=["database gone after the commit", "session ended by a concurrent request"],
)
def test_a_committed_note_is_reported_as_saved_when_the_session_cannot_be_saved(world, failure):
    case = make_case(world.member_a, world.unit_a)
    client = verified_client(world.member_a, Client(raise_request_exception=False))
    session = client.session
    session[LAST_SEEN_KEY] = 0  # long ago: this request saves the session
    session.save()

    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.save", side_effect=failure
    ) as save:
        response = client.post(
            reverse("cases:journal_add", kwargs={"reference": case.reference}),
            {"note-text": "Met at the library."},
        )

    assert save.called
    assert response.status_code == 302
    assert response["Location"].endswith("#journal")
    notes = JournalEntry.objects.filter(case=case).values_list("text", flat=True)
    assert list(notes) == ["Met at the library."]
