"""Small helpers for the access tests: an API client per user, and answers to compare."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

from vejud.accounts.models import Role, User
from vejud.organisations.models import InstitutionType, Unit, UnitKind
from vejud.testing import World, make_user, verified_client
from vejud.testing.api import JsonApi


class Api(JsonApi):
    """The shared API client; a server error comes back as a 500 response to compare."""

    def __init__(self, user: User) -> None:
        super().__init__(user, raise_errors=False)


# Per-response values that differ between any two responses (masked CSRF token, CSP nonce).
PER_RESPONSE = re.compile(rb'(csrfmiddlewaretoken" value="|X-CSRFToken": "|nonce=")[^"]*')


def answer(response: Any) -> tuple[int, bytes]:
    """What a caller learns from a response: its status and body (less per-response tokens)."""
    return response.status_code, PER_RESPONSE.sub(rb"\1~", response.content)


def task_references(user: User) -> tuple[set[str], set[str]]:
    """The case references on the user's task list: (page /opgaver/, API /api/v1/tasks)."""
    page = verified_client(user).get(reverse("worklist:tasks"))
    assert page.status_code == 200
    api = Api(user).get("/api/v1/tasks")
    assert api.status_code == 200
    on_page = {task.reference for task in page.context["tasks"]}
    return on_page, {item["reference"] for item in api.json()["items"]}


def other_prison(world: World) -> tuple[Unit, User]:
    """A second institution under the world's DfK, with its own custody officer."""
    prison = Unit.objects.create(
        name="Test Prison Two",
        code="test-prison-2",
        kind=UnitKind.INSTITUTION,
        institution_type=InstitutionType.STATE_PRISON_CLOSED,
        parent=world.dfk,
    )
    officer = make_user(
        "custody2@test.vejud.dk", "Other Custody", prison, Role.CUSTODY_STAFF, "kriminalforsorgen"
    )
    return prison, officer


def caseload_references(user: User) -> tuple[set[str], set[str]]:
    """The case references the user's caseload lists: (page /sager/, API /api/v1/cases)."""
    page = verified_client(user).get(reverse("cases:caseload"))
    assert page.status_code == 200
    api = Api(user).get("/api/v1/cases?limit=100")
    assert api.status_code == 200
    return {row.reference for row in page.context["cases"]}, {
        item["reference"] for item in api.json()["items"]
    }
