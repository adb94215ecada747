"""The action framework's page answers and the case page's panel registry."""

from __future__ import annotations

from django.urls import reverse

from vejud.actions.declare import NOT_NOW, REGISTRY
from vejud.actions.panels import case_panels
from vejud.cases.models import CaseStatus
from vejud.decisions.models import Decision
from vejud.testing import make_assessed_case, make_case, verified_client
from vejud.testing.builders import make_admitted_case


def test_the_case_page_renders_the_registered_panels_in_order(world):
    assert [p.name for p in case_panels()] == [
        "inquiry",
        "process",
        "course",
        "followup",
        "outcomes",
        "transfers",
        "grants",
        "documents",
        "advice",
        "retention",
    ]
    case = make_admitted_case(world)
    page = verified_client(world.member_a).get(case.get_absolute_url()).content.decode()
    # (a case opened without an inquiry shows no inquiry panel)
    where = [page.index(f'id="{anchor}"') for anchor in ("process", "course", "followup")]
    assert where == sorted(where)


def test_an_action_not_possible_now_answers_409_with_the_reason(world):
    case = make_case(world.coordinator_a, world.unit_a)  # an inquiry: no decision yet
    url = reverse("decisions:unit_decision", kwargs={"reference": case.reference})
    response = verified_client(world.coordinator_a).get(url)
    assert response.status_code == 409
    assert str(NOT_NOW) in response.content.decode()
    assert REGISTRY["decide"].refusal(world.coordinator_a, case) is not None


def test_an_htmx_post_is_sent_to_the_case_with_hx_redirect(world):
    case = make_assessed_case(world)
    url = reverse("decisions:unit_decision", kwargs={"reference": case.reference})
    response = verified_client(world.coordinator_a).post(
        url,
        {"version": case.version, "outcome": "admit", "reasoning": "Ready."},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == case.get_absolute_url()
    case.refresh_from_db()
    assert case.status == CaseStatus.ADMITTED
    assert Decision.objects.filter(case=case).count() == 1
