"""The authorisation matrix, part two, for training (issue 16): WHAT the training lists hold
for every role of the cast, against tables written out by hand (never asking vejud.access).

- the registrations of a session (its page's table, GET /api/v1/training/registrations):
  staff see their own, a unit coordinator also their unit's, the national contact point all;
- coverage (/uddannelse/daekning/, GET /api/v1/training/coverage): the coordinator their unit,
  by name; the national contact point every unit, by name; the analyst every unit, counts only.

The world: one session; member A, coordinator A and the mentor (unit A), member B (unit B) and
the custody officer (the prison) are registered. The course is required for unit members.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from vejud.testing import verified_client
from vejud.testing.api import JsonApi
from vejud.testing.training import make_course, make_session
from vejud.training.services import register

ROLES = (
    "nobody",
    "member_a",
    "coordinator_a",
    "member_b",
    "coordinator_b",
    "adviser",
    "decision_maker",
    "head",
    "custody",
    "mentor",
    "analyst",
    "sysadmin",
    "auditor",
)
NATIONAL = ("adviser", "decision_maker", "head")
REGISTERED = ("member_a", "coordinator_a", "mentor", "member_b", "custody")
NO_TRAINING = frozenset({"nobody", "analyst", "sysadmin", "auditor"})  # 403
SEES: dict[str, set[str]] = {
    "member_a": {"member_a"},
    "coordinator_a": {"member_a", "coordinator_a", "mentor"},
    "member_b": {"member_b"},
    "coordinator_b": {"member_b"},
    **{n: set(REGISTERED) for n in NATIONAL},
    "custody": {"custody"},
    "mentor": {"mentor"},
}
# Coverage: which units' rows a role gets (the national staff are trained staff too), and
# whether names are shown.
EVERY_UNIT = {
    "Test Exit Unit A",
    "Test Exit Unit B",
    "Test Prison",
    "Test National Exit Contact Point",
}
COVERAGE_UNITS: dict[str, set[str]] = {
    "coordinator_a": {"Test Exit Unit A"},
    "coordinator_b": {"Test Exit Unit B"},
    "analyst": EVERY_UNIT,
    **dict.fromkeys(NATIONAL, EVERY_UNIT),
}
NAMES = frozenset({"coordinator_a", "coordinator_b", *NATIONAL})


@dataclass
class World:
    cast: Any
    session: Any

    def user(self, role: str) -> Any:
        return self.cast.users[role]

    def names(self, roles: set[str]) -> set[str]:
        return {self.user(r).full_name for r in roles}


@pytest.fixture
def training(world: Any) -> World:
    course = make_course(world, title="Basic exit course", required_for_roles=["unit_member"])
    session = make_session(world, course, capacity=30)
    for role in REGISTERED:
        register(actor=world.users[role], session=session)
    return World(cast=world, session=session)


def _table_names(body: str) -> set[str]:
    table = re.search(r'<table[^>]*id="registrations".*?</table>', body, re.S)
    return set(re.findall(r'<th scope="row">([^<]+)</th>', table.group(0))) if table else set()


@pytest.mark.parametrize("role", ROLES)
def test_registrations_hold_exactly_what_the_role_may_see(training: World, role: str) -> None:
    url = reverse("training:session", kwargs={"session_id": training.session.pk})
    page = verified_client(training.user(role)).get(url)
    api = JsonApi(training.user(role), raise_errors=False).get("/api/v1/training/registrations")
    if role in NO_TRAINING:
        assert (page.status_code, api.status_code) == (403, 403)
        return
    expected = training.names(SEES[role])
    assert _table_names(page.content.decode()) == expected
    assert {item["participant"] for item in api.json()["items"]} == expected
    hidden = training.names(set(REGISTERED) - SEES[role])
    assert not [name for name in hidden if name in page.content.decode()]


@pytest.mark.parametrize("role", ROLES)
def test_coverage_holds_the_roles_units_and_names_only_where_allowed(
    training: World, role: str
) -> None:
    page = verified_client(training.user(role)).get(reverse("training:coverage"))
    api = JsonApi(training.user(role), raise_errors=False).get("/api/v1/training/coverage")
    if role not in COVERAGE_UNITS:
        assert (page.status_code, api.status_code) == (403, 403)
        return
    item = next(i for i in api.json()["items"] if i["course_title"] == "Basic exit course")
    assert {row["label"] for row in item["by_unit"]} == COVERAGE_UNITS[role]
    # Unit members must hold the course; nobody has completed it: their names are "missing".
    members = {"coordinator_a": {"member_a"}, "coordinator_b": {"member_b"}}.get(
        role, {"member_a", "member_b"}
    )
    body = page.content.decode()
    if role in NAMES:
        assert {a["name"] for a in item["attention"]} == training.names(members)
        assert all(name in body for name in training.names(members))
    else:
        assert item["attention"] is None
        assert not [n for n in training.names({"member_a", "member_b"}) if n in body]
