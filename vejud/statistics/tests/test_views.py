"""The national overview page: who sees it, what it shows, and what it costs."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vejud.cases.models import CaseStatus
from vejud.cases.services import case_transition
from vejud.statistics.selectors import MONTHS_SHOWN, national_overview
from vejud.testing import make_case, verified_client
from vejud.testing.builders import make_custody_inquiry

URL = reverse("statistics:overview")


@pytest.mark.parametrize("role", ["analyst", "adviser", "decision_maker", "head"])
def test_national_roles_and_the_analyst_see_the_overview(world, role):
    assert verified_client(getattr(world, role)).get(URL).status_code == 200


@pytest.mark.parametrize(
    "role", ["member_a", "coordinator_a", "custody", "mentor", "sysadmin", "auditor", "nobody"]
)
def test_other_roles_get_403(world, role):
    assert verified_client(getattr(world, role)).get(URL).status_code == 403


def test_the_overview_counts_cases_and_names_no_one(world):
    first = make_case(world.coordinator_a, world.unit_a, first_name="Zebulon", last_name="Quist")
    make_case(world.coordinator_b, world.unit_b, first_name="Yrsa", last_name="Quist")
    make_custody_inquiry(world, world.coordinator_a, first_name="Xerxes", last_name="Quist")
    case_transition(actor=world.coordinator_a, case=first, target=CaseStatus.ASSESSMENT)

    overview = national_overview()
    page = verified_client(world.analyst).get(URL).content.decode()

    assert overview.total == 3
    assert overview.open_total == 3
    rows = {str(row.label): row for row in overview.statuses}
    assert (rows["Inquiry"].liberty, rows["Inquiry"].custody) == (1, 1)
    assert rows["Assessment"].liberty == 1
    units = {row.name: row for row in overview.units}
    assert (units[world.unit_a.name].liberty, units[world.unit_a.name].custody) == (1, 1)
    assert units[world.unit_b.name].total == 1
    assert len(overview.months) == MONTHS_SHOWN
    assert overview.months[-1].opened == 3
    for text in ("Quist", "Zebulon", "Yrsa", "Xerxes", first.reference):
        assert text not in page


def test_the_overview_costs_the_same_queries_at_any_size(world):
    """Made anew (nothing kept) and kept: each the same number of queries at any size."""
    from django.core.cache import cache

    client = verified_client(world.analyst)
    make_case(world.coordinator_a, world.unit_a, first_name="One")
    client.get(URL)
    costs = []
    for more in (0, 12):
        for i in range(more):
            make_case(world.coordinator_b, world.unit_b, first_name=f"More{i}")
        cache.clear()
        with CaptureQueriesContext(connection) as made:
            client.get(URL)
        with CaptureQueriesContext(connection) as kept:
            client.get(URL)
        assert not any("cases_case" in q["sql"] for q in [*made, *kept])
        costs.append((len(made), len(kept)))
    assert costs[0] == costs[1]
    assert costs[0][1] < costs[0][0]


def _body(client):
    page = client.get(URL)
    assert page.status_code == 200
    return str(page.context["body"])


def test_the_overview_shown_again_with_the_same_figures_is_kept_and_releases_nothing_new(world):
    from vejud.statistics.models import ReleasedTable

    for i in range(6):
        make_case(world.coordinator_a, world.unit_a, first_name=f"Kept{i}")
    client = verified_client(world.analyst)
    with CaptureQueriesContext(connection) as first:
        body = _body(client)
    releases = ReleasedTable.objects.count()
    assert releases == 3  # the cases today, the months, the exits on own hand
    with CaptureQueriesContext(connection) as again:
        assert _body(client) == body
    # The session, the user, the four reads of the overview's counts and one of the exits on
    # own hand; made anew, each of the three tables also reads its earlier releases and
    # records its own (in a transaction of its own).
    assert len(again) == 7 < len(first)
    assert not [q for q in again if "releasedtable" in q["sql"].lower()]
    assert ReleasedTable.objects.count() == releases
    # Another user who sees the overview, with the same language, gets the same body.
    assert _body(verified_client(world.head)) == body


def test_a_changed_figure_is_a_new_overview_and_a_new_release(world):
    from vejud.statistics.models import ReleasedTable

    for i in range(6):
        make_case(world.coordinator_a, world.unit_a, first_name=f"Before{i}")
    client = verified_client(world.analyst)
    body = _body(client)
    releases = ReleasedTable.objects.count()
    for i in range(5):
        make_case(world.coordinator_b, world.unit_b, first_name=f"After{i}")
    changed = _body(client)
    assert changed != body
    assert world.unit_b.name in changed and world.unit_b.name not in body
    assert ReleasedTable.objects.count() == releases + 1  # the cases today; the months as before


def test_the_overview_is_kept_per_language(world):
    english = _body(verified_client(world.analyst))
    world.analyst.language = "da"
    world.analyst.save(update_fields=["language"])
    danish = _body(verified_client(world.analyst))
    assert "Cases by status and track" in english and "Cases by status and track" not in danish
    assert "Sager efter status og spor" in danish
