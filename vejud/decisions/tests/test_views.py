from __future__ import annotations

import re

import pytest
from django.urls import reverse

from vejud.audit.models import AccessLog
from vejud.cases.models import Case, CaseStatus
from vejud.decisions.models import Decision
from vejud.organisations.models import Municipality
from vejud.testing import make_admitted_case, make_assessed_case, make_case, verified_client
from vejud.testing.api import JsonApi
from vejud.testing.builders import inquiry_fields


def test_walk_from_inquiry_to_admission_through_the_pages(world):
    Municipality.objects.create(name="Testby A", police_district=world.unit_a.police_district)
    member = verified_client(world.member_a)
    response = member.post(
        reverse("intake:inquiry_new"),
        inquiry_fields(Municipality.objects.get(name="Testby A").pk),
    )
    case = Case.objects.get(person__first_name="Jonas")
    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()
    page = member.get(case.get_absolute_url())
    assert "No valid consent" in page.content.decode()
    member.post(
        reverse("intake:consent_new", kwargs={"reference": case.reference}),
        {
            "given_on": case.opened_on.isoformat(),
            "method": "in_person",
            "agencies": ["police", "municipality", "national"],
            "topics": ["crime", "social"],
        },
    )
    member.post(
        reverse("decisions:transition", kwargs={"reference": case.reference}),
        {"version": 1, "target": "assessment"},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT
    url = reverse("assessments:edit", kwargs={"reference": case.reference, "kind": "motivation"})
    response = member.post(
        url,
        {
            "push_factors": ["fear_for_life"],
            "own_explanation": "Scared.",
            "motivation_kind": "outer",
            "level": "2",
            "reasoning": "Fear.",
        },
    )
    assert response.status_code == 302
    assert "Fear alone cannot carry an exit" in member.get(url).content.decode()
    response = member.post(
        reverse("assessments:sign", kwargs={"reference": case.reference, "kind": "motivation"})
    )
    assert case.motivation_assessments.get().is_signed


def test_decision_letter_download_is_logged(world):
    case = make_assessed_case(world)
    coordinator = verified_client(world.coordinator_a)
    response = coordinator.post(
        reverse("decisions:unit_decision", kwargs={"reference": case.reference}),
        {
            "version": case.version,
            "outcome": "refuse",
            "grounds": ["not_motivated"],
            "reasoning": "Not motivated.",
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get(case=case)
    url = reverse(
        "decisions:letter", kwargs={"reference": case.reference, "decision_id": decision.pk}
    )
    response = coordinator.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AccessLog.objects.filter(user_id=world.coordinator_a.pk, part="decision_letter").exists()
    assert verified_client(world.member_b).get(url).status_code == 404


def test_stale_form_gets_the_reload_message(world):
    case = make_assessed_case(world)
    coordinator = verified_client(world.coordinator_a)
    response = coordinator.post(
        reverse("decisions:unit_decision", kwargs={"reference": case.reference}),
        {
            "version": case.version - 1,
            "outcome": "admit",
            "reasoning": "Good.",
        },
        follow=True,
    )
    assert "changed by someone else" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT


def test_member_is_not_offered_the_decision(world):
    case = make_assessed_case(world)
    page = verified_client(world.member_a).get(case.get_absolute_url()).content.decode()
    assert reverse("decisions:unit_decision", kwargs={"reference": case.reference}) not in page
    page = verified_client(world.coordinator_a).get(case.get_absolute_url()).content.decode()
    assert reverse("decisions:unit_decision", kwargs={"reference": case.reference}) in page


@pytest.mark.parametrize("status", [CaseStatus.INQUIRY, CaseStatus.ASSESSMENT, CaseStatus.ADMITTED])
def test_a_member_opening_the_unit_decision_is_refused_for_the_role_not_the_state(world, status):
    """Rough edge 10 (issue 14): a member got "not possible now" (409) on a case not under
    assessment, though the reason is the role. Page and API answer 403 with the reason in
    every status; the coordinator still gets 409 where the state is the reason."""
    case = {
        CaseStatus.INQUIRY: make_case(world.coordinator_a, world.unit_a),
        CaseStatus.ASSESSMENT: make_assessed_case(world, first_name="Assessed"),
        CaseStatus.ADMITTED: make_admitted_case(world, first_name="Admitted"),
    }[status]
    assert case.status == status
    url = reverse("decisions:unit_decision", kwargs={"reference": case.reference})
    page = verified_client(world.member_a).get(url)
    assert page.status_code == 403
    html = page.content.decode()
    assert "Your role on the case does not allow this action." in html
    assert "Only the unit&#x27;s coordinator makes this decision" in html
    api = JsonApi(world.member_a).post(f"/api/v1/cases/{case.reference}/decision", {})
    assert api.status_code == 403, api.content
    assert api.json()["detail"].startswith("Your role on the case does not allow this action.")
    assert "Only the unit's coordinator makes this decision" in api.json()["detail"]
    coordinator = verified_client(world.coordinator_a).get(url).status_code
    assert coordinator == (200 if status == CaseStatus.ASSESSMENT else 409)


@pytest.mark.parametrize(
    "name", ["unit_decision", "referral_new", "final_decision", "information_request"]
)
def test_other_unit_gets_404_and_analyst_403(world, name):
    case = make_case(world.coordinator_a, world.unit_a)
    url = reverse(f"decisions:{name}", kwargs={"reference": case.reference})
    assert verified_client(world.member_b).get(url).status_code == 404
    assert verified_client(world.analyst).get(url).status_code == 403


def test_task_list_page(world):
    case = make_case(world.coordinator_a, world.unit_a)
    page = verified_client(world.member_a).get(reverse("worklist:tasks"))
    assert case.reference in page.content.decode()
    assert verified_client(world.analyst).get(reverse("worklist:tasks")).status_code == 403


def test_consent_form_offers_every_agency_and_the_case_shows_their_names(world):
    """Rough edges 3 and 5 (issue 14): the default consent left out the national contact point
    (a refusal then needed a second consent before referral), and the case page showed the
    agencies as codes."""
    case = make_case(world.coordinator_a, world.unit_a)
    member = verified_client(world.member_a)
    form = member.get(reverse("intake:consent_new", kwargs={"reference": case.reference}))
    assert sorted(form.context["form"].initial["agencies"]) == sorted(
        ["police", "municipality", "kriminalforsorgen", "national"]
    )
    boxes = re.findall(r"<input[^>]*name=\"agencies\"[^>]*>", form.content.decode())
    national = [box for box in boxes if 'value="national"' in box]
    assert len(national) == 1 and " checked" in national[0], boxes
    member.post(
        reverse("intake:consent_new", kwargs={"reference": case.reference}),
        {
            "given_on": case.opened_on.isoformat(),
            "method": "in_person",
            "agencies": ["police", "national"],
            "topics": ["crime"],
        },
    )
    shown = member.get(case.get_absolute_url()).content.decode()
    assert "Police, National Exit Contact Point" in shown
    assert "police, national" not in shown


def _in_danish(user):
    user.language = "da"
    user.save(update_fields=["language"])
    return verified_client(user)


def test_submit_buttons_are_named_as_actions_not_states(world):
    """Rough edge 10 (issue 14): the unit's decision was sent with "Enhedens afgørelse" and a
    withdrawal with "Trukket tilbage af personen"; buttons say what they do."""
    case = make_case(world.coordinator_a, world.unit_a)
    page = _in_danish(world.member_a).get(case.get_absolute_url()).content.decode()
    buttons = re.findall(r"<button[^>]*>([^<]*)</button>", page)
    assert "Registrér at personen trækker sig" in buttons
    assert "Trukket tilbage af personen" not in page
    assessed = make_assessed_case(world, first_name="Assessed")
    url = reverse("decisions:unit_decision", kwargs={"reference": assessed.reference})
    page = _in_danish(world.coordinator_a).get(url).content.decode()
    buttons = re.findall(r'<button type="submit"[^>]*>([^<]*)</button>', page)
    assert "Træf afgørelse" in buttons
    assert "Enhedens afgørelse" not in buttons
