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
    client = verified_client(world.analyst)
    make_case(world.coordinator_a, world.unit_a, first_name="One")
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for i in range(12):
        make_case(world.coordinator_b, world.unit_b, first_name=f"More{i}")
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(many) == len(few)
    assert not any("cases_case" in q["sql"] for q in many.captured_queries)
