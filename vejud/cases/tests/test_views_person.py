"""The person page: visible iff one of their cases is; access lists for those who manage them."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vejud.audit.models import AccessLog
from vejud.cases.services import break_glass_open, mentor_assign
from vejud.people.models import AccessRuleKind, PersonAccessRule
from vejud.people.services import person_access_rule_add
from vejud.testing import end_case, make_case, make_ended_case, verified_client
from vejud.testing.builders import protect_address


@pytest.fixture
def case(world):
    return make_case(world.coordinator_a, world.unit_a, first_name="Rasmus", last_name="Ravn")


def url(person, name="people:detail"):
    return reverse(name, kwargs={"public_id": person.public_id})


def test_member_sees_the_person_and_their_visible_cases(world, case):
    end_case(world.coordinator_a, case)
    earlier = make_ended_case(world.coordinator_a, world.unit_a, person=case.person)
    elsewhere = make_ended_case(world.coordinator_b, world.unit_b, person=case.person)
    response = verified_client(world.member_a).get(url(case.person))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Rasmus Ravn" in body
    assert case.reference in body and earlier.reference in body
    assert elsewhere.reference not in body


def test_view_is_logged(world, case):
    verified_client(world.member_a).get(url(case.person))
    log = AccessLog.objects.get(user=world.member_a)
    assert (log.part, log.person_id, log.break_glass) == ("person", case.person_id, False)


def test_other_unit_404(world, case):
    assert verified_client(world.member_b).get(url(case.person)).status_code == 404
    assert not AccessLog.objects.exists()


def test_unknown_person_404(world):
    assert verified_client(world.member_a).get(f"/personer/{uuid.uuid4()}/").status_code == 404


@pytest.mark.parametrize("role", ["analyst", "sysadmin", "auditor", "nobody"])
def test_wrong_role_403(world, case, role):
    assert verified_client(getattr(world, role)).get(url(case.person)).status_code == 403


def test_national_adviser_sees_all_cases(world, case):
    end_case(world.coordinator_a, case)
    elsewhere = make_ended_case(world.coordinator_b, world.unit_b, person=case.person)
    body = verified_client(world.adviser).get(url(case.person)).content.decode()
    assert case.reference in body and elsewhere.reference in body


def test_mentor_sees_their_mentee(world, case):
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    response = verified_client(world.mentor).get(url(case.person))
    assert response.status_code == 200
    assert "Access lists" not in response.content.decode()


def test_break_glass_view_is_flagged(world, case):
    break_glass_open(
        actor=world.member_b, reference=case.reference, reason="Arrested in our district"
    )
    response = verified_client(world.member_b).get(url(case.person))
    assert response.status_code == 200
    assert AccessLog.objects.get(user=world.member_b, part="person").break_glass


def test_exclusion_gives_404_without_the_message(world, case):
    person_access_rule_add(
        actor=world.coordinator_a,
        person=case.person,
        kind=AccessRuleKind.EXCLUSION,
        user=world.member_a,
        message="Handled by another caseworker.",
    )
    response = verified_client(world.member_a).get(url(case.person))
    assert response.status_code == 404
    assert "Handled by another caseworker." not in response.content.decode()


def test_restriction_bars_everyone_else_but_not_the_named(world, case):
    person_access_rule_add(
        actor=world.coordinator_a,
        person=case.person,
        kind=AccessRuleKind.RESTRICTION,
        user=world.coordinator_a,
        message="Restricted case.",
    )
    assert verified_client(world.coordinator_a).get(url(case.person)).status_code == 200
    response = verified_client(world.member_a).get(url(case.person))
    assert response.status_code == 404
    assert "Restricted case." not in response.content.decode()
    # Outside scope the answer is 404 too: the rule's message must not reveal the person.
    assert verified_client(world.member_b).get(url(case.person)).status_code == 404


def test_protected_address_never_on_the_person_page(world, case):
    protect_address(world, case, "Lønlig Allé 3, 9996 Væk", reason="Relocated")
    body = verified_client(world.coordinator_a).get(url(case.person)).content.decode()
    assert "Lønlig" not in body


def test_query_count_does_not_grow_with_cases(world):
    few = make_case(world.coordinator_a, world.unit_a, first_name="Sara", last_name="Sand")
    many = make_case(world.coordinator_a, world.unit_a, first_name="Tove", last_name="Tang")
    end_case(world.coordinator_a, few)
    end_case(world.coordinator_a, many)
    for _ in range(2):
        make_ended_case(world.coordinator_a, world.unit_a, person=few.person)
    for _ in range(15):
        make_ended_case(world.coordinator_a, world.unit_a, person=many.person)
    client = verified_client(world.coordinator_a)
    client.get(url(few.person))
    with CaptureQueriesContext(connection) as q_few:
        client.get(url(few.person))
    with CaptureQueriesContext(connection) as q_many:
        response = client.get(url(many.person))
    assert len(response.context["cases"]) == 16
    assert len(q_many.captured_queries) == len(q_few.captured_queries)


# Access lists --------------------------------------------------------------------------


def _rule_data(user, kind=AccessRuleKind.EXCLUSION, **extra):
    data = {
        "rule-kind": kind,
        "rule-email": user.email,
        "rule-valid_from": "",
        "rule-valid_to": "",
        "rule-message": "Conflict of interest.",
    }
    data.update(extra)
    return data


def test_coordinator_sees_and_adds_access_rules(world, case):
    client = verified_client(world.coordinator_a)
    assert "Access lists" in client.get(url(case.person)).content.decode()
    response = client.post(url(case.person, "people:access_rule_add"), _rule_data(world.member_a))
    assert response.status_code == 302
    rule = PersonAccessRule.objects.get(person=case.person)
    assert (rule.kind, rule.user, rule.message) == (
        AccessRuleKind.EXCLUSION,
        world.member_a,
        "Conflict of interest.",
    )
    assert world.member_a.email in client.get(url(case.person)).content.decode()


def test_member_does_not_see_access_lists(world, case):
    body = verified_client(world.member_a).get(url(case.person)).content.decode()
    assert "Access lists" not in body


def test_member_cannot_add_rules_403(world, case):
    response = verified_client(world.member_a).post(
        url(case.person, "people:access_rule_add"), _rule_data(world.member_b)
    )
    assert response.status_code == 403
    assert not PersonAccessRule.objects.exists()


def test_coordinator_of_another_unit_404(world, case):
    response = verified_client(world.coordinator_b).post(
        url(case.person, "people:access_rule_add"), _rule_data(world.member_b)
    )
    assert response.status_code == 404
    assert not PersonAccessRule.objects.exists()


def test_coordinator_who_sees_a_case_only_through_break_glass_gets_403(world, case):
    break_glass_open(
        actor=world.coordinator_b, reference=case.reference, reason="Arrested in our district"
    )
    response = verified_client(world.coordinator_b).post(
        url(case.person, "people:access_rule_add"), _rule_data(world.member_b)
    )
    assert response.status_code == 403
    assert not PersonAccessRule.objects.exists()


def test_national_head_may_add_rules(world, case):
    response = verified_client(world.head).post(
        url(case.person, "people:access_rule_add"), _rule_data(world.member_a)
    )
    assert response.status_code == 302


def test_invalid_rule_is_shown_with_errors(world, case):
    response = verified_client(world.coordinator_a).post(
        url(case.person, "people:access_rule_add"),
        _rule_data(world.member_a, **{"rule-email": "nobody-here@example.org"}),
    )
    assert response.status_code == 200
    assert 'id="id_rule-email_error"' in response.content.decode()
    response = verified_client(world.coordinator_a).post(
        url(case.person, "people:access_rule_add"),
        _rule_data(
            world.member_a, **{"rule-valid_from": "2026-05-01", "rule-valid_to": "2026-04-01"}
        ),
    )
    assert 'id="id_rule-valid_to_error"' in response.content.decode()
    assert not PersonAccessRule.objects.exists()


def test_add_rule_get_not_allowed(world, case):
    response = verified_client(world.coordinator_a).get(url(case.person, "people:access_rule_add"))
    assert response.status_code == 405
