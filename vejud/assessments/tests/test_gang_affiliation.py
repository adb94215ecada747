"""Rough edge 7 (issue 14): the gang affiliation (group, role, since, attachment) could not be
entered in the interface, so the target-group form said "From the case: –"; and the 1-5
motivation scale had no anchors."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from vejud.audit.models import AuditEvent
from vejud.cases.services import mentor_assign
from vejud.people.models import GangGroup
from vejud.testing import end_case, make_case, verified_client
from vejud.testing.api import JsonApi
from vejud.testing.builders import make_admitted_case


@pytest.fixture
def group(db):
    return GangGroup.objects.create(name="Testgruppen", kind="gang")


def _url(case, name="assessments:gang_affiliation"):
    return reverse(name, kwargs={"reference": case.reference})


def _target_group(client, case):
    url = reverse("assessments:edit", kwargs={"reference": case.reference, "kind": "target_group"})
    return client.get(url).content.decode()


def test_the_gang_affiliation_is_entered_on_a_page_and_read_by_the_target_group_form(world, group):
    case = make_case(world.member_a, world.unit_a)
    member = verified_client(world.member_a)
    form = _target_group(member, case)
    assert "From the case: –" in form
    assert _url(case) in form  # the form links to where the affiliation is entered
    assert _url(case) in member.get(case.get_absolute_url()).content.decode()
    assert member.get(_url(case)).status_code == 200
    response = member.post(
        _url(case),
        {
            "gang_group": group.pk,
            "gang_role": "Hangaround",
            "gang_since": "2019-03-01",
            "attachment": "member",
        },
    )
    assert response.status_code == 302
    person = case.person
    person.refresh_from_db()
    assert (person.gang_group, person.gang_role, person.gang_since, person.attachment) == (
        group,
        "Hangaround",
        date(2019, 3, 1),
        "member",
    )
    event = AuditEvent.objects.get(action="person.gang_affiliation")
    assert (event.case_id, event.person_id) == (case.pk, person.pk)
    assert event.changes["attachment"] == ["", "member"]
    form = _target_group(member, case)
    assert "From the case: Member" in form
    assert "From the case: Testgruppen (Gang)" in form
    assert "From the case: –" not in form
    page = member.get(case.get_absolute_url()).content.decode()
    assert "Hangaround" in page and "Testgruppen" in page


def test_the_page_refuses_a_role_without_a_group_and_a_date_before_birth(world, group):
    case = make_case(world.member_a, world.unit_a)
    member = verified_client(world.member_a)
    response = member.post(_url(case), {"gang_role": "Boss", "attachment": ""})
    assert response.status_code == 200
    assert "Choose the group before its role and date." in response.content.decode()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = member.post(_url(case), {"gang_group": group.pk, "gang_since": tomorrow})
    assert (
        "The date must lie between the person&#x27;s birth and today." in response.content.decode()
    )
    case.person.refresh_from_db()
    assert case.person.gang_group is None
    assert not AuditEvent.objects.filter(action="person.gang_affiliation").exists()


def test_other_unit_404_wrong_role_403_mentor_404(world):
    case = make_admitted_case(world)
    assert verified_client(world.member_b).get(_url(case)).status_code == 404
    assert verified_client(world.analyst).get(_url(case)).status_code == 403
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    assert verified_client(world.mentor).get(_url(case)).status_code == 404  # not its part


def test_the_api_records_the_same_and_refuses_an_unknown_group(world, group):
    case = make_case(world.member_a, world.unit_a)
    api = JsonApi(world.member_a)
    path = f"/api/v1/cases/{case.reference}/gang-affiliation"
    saved = api.put(
        path,
        {"group": "Testgruppen", "role": "Member", "since": "2020-05-01", "attachment": "core"},
    )
    assert saved.status_code == 200, saved.content
    assert saved.json() == {
        "group": "Testgruppen",
        "role": "Member",
        "since": "2020-05-01",
        "attachment": "core",
    }
    read = api.get(f"/api/v1/cases/{case.reference}").json()["gang"]
    assert read == saved.json()
    unknown = api.put(path, {"group": "Ukendt"})
    assert unknown.status_code == 422
    cleared = api.put(path, {})
    assert cleared.json() == {"group": None, "role": "", "since": None, "attachment": None}
    assert JsonApi(world.member_b).put(path, {}).status_code == 404
    assert JsonApi(world.analyst).put(path, {}).status_code == 403


def test_a_closed_case_takes_no_gang_affiliation(world):
    case = end_case(world.member_a, make_case(world.member_a, world.unit_a))
    assert verified_client(world.member_a).get(_url(case)).status_code == 409
    api = JsonApi(world.member_a)
    assert api.put(f"/api/v1/cases/{case.reference}/gang-affiliation", {}).status_code == 409


def test_the_motivation_scale_has_anchors(world):
    new = make_case(world.member_a, world.unit_a, first_name="New")
    course = make_admitted_case(world)
    member = verified_client(world.member_a)
    url = reverse("assessments:edit", kwargs={"reference": new.reference, "kind": "motivation"})
    review = reverse("followup:review_new", kwargs={"reference": course.reference})
    for page in (member.get(url).content.decode(), member.get(review).content.decode()):
        assert "1 – Very low: the wish to leave comes from others, or from fear alone" in page
        assert "3 – Mixed: wants out, but ties to the group and doubts still pull" in page
        assert "5 – Very high: an own, lasting wish to leave" in page
