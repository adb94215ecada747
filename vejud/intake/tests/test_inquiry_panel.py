"""Rough edge 4 (issue 14): what the inquiry recorded (source, channel, intake note, phone) was
saved but never shown again; the case page shows it to caseworkers, not to a mentor."""

from __future__ import annotations

from django.urls import reverse

from vejud.cases.models import Case
from vejud.cases.services import mentor_assign
from vejud.organisations.models import Municipality
from vejud.testing import verified_client
from vejud.testing.builders import inquiry_fields


def _registered_case(world) -> Case:
    municipality = Municipality.objects.create(
        name="Testby A", police_district=world.unit_a.police_district
    )
    fields = inquiry_fields(
        municipality.pk,
        source="association",
        channel="letter",
        note="Came with his mother; afraid of his cousin.",
        phone="+45 20 30 40 50",
    )
    response = verified_client(world.member_a).post(reverse("intake:inquiry_new"), fields)
    assert response.status_code == 302
    return Case.objects.get(person__first_name="Jonas")


def test_the_case_page_shows_how_the_case_came_in(world):
    case = _registered_case(world)
    page = verified_client(world.coordinator_a).get(case.get_absolute_url()).content.decode()
    assert 'id="inquiry-heading"' in page
    for shown in (
        "Association",
        "Letter",
        "Testby A",
        "Came with his mother; afraid of his cousin.",
        "+45 20 30 40 50",
        world.member_a.full_name,
    ):
        assert shown in page, shown


def test_a_mentor_sees_nothing_of_the_inquiry(world):
    case = _registered_case(world)
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    response = verified_client(world.mentor).get(case.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="inquiry-heading"' not in page
    assert "afraid of his cousin" not in page
