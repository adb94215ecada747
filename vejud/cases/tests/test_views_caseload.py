"""The caseload list: need-to-know, filters, search, keyset pagination, names on request."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vejud.audit.models import AccessLog
from vejud.cases.models import Track
from vejud.cases.services import break_glass_open, case_transition
from vejud.testing import make_case, verified_client
from vejud.testing.builders import protect_address

URL = reverse("cases:caseload")
SECRET_ADDRESS = "Skjultvej 13, 9999 Ingenby"


def _case(world, unit, first="Anna", last="Andersen", actor=None, **kwargs):
    actor = actor or (world.coordinator_a if unit == world.unit_a else world.coordinator_b)
    return make_case(actor, unit, first_name=first, last_name=last, **kwargs)


@pytest.fixture
def cases(world):
    a1 = _case(world, world.unit_a, "Anna", "Andersen")
    a2 = _case(world, world.unit_a, "Bent", "Berg")
    b1 = _case(world, world.unit_b, "Carl", "Carlsen")
    return a1, a2, b1


def test_member_sees_own_units_cases_only(world, cases):
    a1, a2, b1 = cases
    response = verified_client(world.member_a).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert a1.reference in body and a2.reference in body
    assert b1.reference not in body


def test_names_are_hidden_by_default(world, cases):
    body = verified_client(world.member_a).get(URL).content.decode()
    assert "Andersen" not in body
    assert "Berg" not in body


def test_columns_link_and_status(world, cases):
    a1 = cases[0]
    body = verified_client(world.member_a).get(URL).content.decode()
    assert reverse("cases:detail", kwargs={"reference": a1.reference}) in body
    assert a1.get_status_display() in body
    assert world.unit_a.name in body


@pytest.mark.parametrize("role", ["analyst", "sysadmin", "auditor", "nobody"])
def test_roles_without_case_access_get_403(world, cases, role):
    response = verified_client(getattr(world, role)).get(URL)
    assert response.status_code == 403


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_post_is_not_allowed(world):
    assert verified_client(world.member_a).post(URL).status_code == 405


def test_national_adviser_sees_all_units(world, cases):
    body = verified_client(world.adviser).get(URL).content.decode()
    assert all(case.reference in body for case in cases)


def test_custody_staff_sees_custody_cases_of_their_institution(world, cases):
    custody_case = _case(
        world, world.unit_a, "Dan", "Dahl", track=Track.CUSTODY, institution=world.prison
    )
    body = verified_client(world.custody).get(URL).content.decode()
    assert custody_case.reference in body
    assert cases[0].reference not in body


def test_filter_by_status_and_track(world, cases):
    client = verified_client(world.member_a)
    body = client.get(URL, {"status": "admitted"}).content.decode()
    assert cases[0].reference not in body
    body = client.get(URL, {"status": "inquiry", "track": "liberty"}).content.decode()
    assert cases[0].reference in body


def test_unit_filter_offers_only_units_in_scope(world, cases):
    client = verified_client(world.member_a)
    body = client.get(URL).content.decode()
    assert f'value="{world.unit_a.pk}"' in body
    assert f'value="{world.unit_b.pk}"' not in body
    # Asking for another unit is an invalid choice: nothing of unit B appears.
    body = client.get(URL, {"unit": world.unit_b.pk}).content.decode()
    assert cases[2].reference not in body


def test_national_user_can_filter_by_any_unit(world, cases):
    body = verified_client(world.adviser).get(URL, {"unit": world.unit_b.pk}).content.decode()
    assert cases[2].reference in body
    assert cases[0].reference not in body


def test_search_by_exact_reference(world, cases):
    a1, a2, _b1 = cases
    body = verified_client(world.member_a).get(URL, {"q": a1.reference}).content.decode()
    assert a1.reference in body
    assert a2.reference not in body


def test_search_by_reference_prefix(world, cases):
    a1, a2, b1 = cases
    prefix = a1.reference[:7]  # "EX-2026"
    body = verified_client(world.member_a).get(URL, {"q": prefix.lower()}).content.decode()
    assert a1.reference in body and a2.reference in body
    assert b1.reference not in body


def test_search_by_another_units_reference_finds_nothing(world, cases):
    response = verified_client(world.member_a).get(URL, {"q": cases[2].reference})
    assert response.context["cases"] == []
    assert f'href="{cases[2].get_absolute_url()}"' not in response.content.decode()
    assert "No cases match" in response.content.decode()


def test_search_by_name_is_logged_per_person_found(world, cases):
    a1, a2, _b1 = cases
    response = verified_client(world.member_a).get(URL, {"q": "  anna  ANDERSEN "})
    body = response.content.decode()
    assert a1.reference in body
    assert a2.reference not in body
    logs = list(AccessLog.objects.filter(user=world.member_a, part="name_search"))
    assert [(log.person_id, log.case_id) for log in logs] == [(a1.person_id, a1.pk)]
    assert not logs[0].break_glass


def test_search_by_name_does_not_reach_other_units(world, cases):
    body = verified_client(world.member_a).get(URL, {"q": "carlsen"}).content.decode()
    assert cases[2].reference not in body
    assert not AccessLog.objects.filter(user=world.member_a).exists()


def test_filtering_without_a_name_search_logs_nothing(world, cases):
    verified_client(world.member_a).get(URL, {"status": "inquiry", "q": cases[0].reference})
    assert not AccessLog.objects.exists()


def test_keyset_pagination_without_count_or_offset(world, settings):
    settings.VEJUD_CASELOAD_PAGE_SIZE = 2
    made = [_case(world, world.unit_a, f"P{i}", "Pagesen") for i in range(5)]
    newest_first = sorted(made, key=lambda c: -c.pk)
    client = verified_client(world.member_a)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    sql = " ".join(q["sql"].upper() for q in queries.captured_queries)
    assert "COUNT(" not in sql
    assert "OFFSET" not in sql
    body = response.content.decode()
    assert newest_first[0].reference in body and newest_first[1].reference in body
    assert newest_first[2].reference not in body
    next_url = response.context["next_url"]
    assert next_url == f"?after={newest_first[1].pk}"
    second = client.get(URL + next_url).content.decode()
    assert newest_first[2].reference in second and newest_first[3].reference in second
    assert newest_first[1].reference not in second
    third = client.get(URL, {"after": newest_first[3].pk})
    assert newest_first[4].reference in third.content.decode()
    assert third.context["next_url"] is None
    assert third.context["first_url"] == "?"


def test_pagination_keeps_the_filters(world, settings):
    settings.VEJUD_CASELOAD_PAGE_SIZE = 1
    for i in range(3):
        _case(world, world.unit_a, f"Q{i}", "Quist")
    response = verified_client(world.member_a).get(URL, {"status": "inquiry"})
    assert "status=inquiry" in response.context["next_url"]
    assert "after=" in response.context["next_url"]


def test_garbage_after_is_ignored(world, cases):
    response = verified_client(world.member_a).get(URL, {"after": "1 OR 1=1"})
    assert response.status_code == 200
    assert cases[0].reference in response.content.decode()


def test_htmx_filter_returns_only_the_results_fragment(world, cases):
    response = verified_client(world.member_a).get(
        URL, {"status": "inquiry"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="caseload-results"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="caseload-results"' in body
    assert cases[0].reference in body
    assert "HX-Request" in response["Vary"]


def test_query_count_does_not_grow_with_rows(world):
    client = verified_client(world.member_a)
    for i in range(3):
        _case(world, world.unit_a, f"S{i}", "Smallsen")
    client.get(URL)  # warm up sessions and caches
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for i in range(27):
        _case(world, world.unit_a, f"L{i}", "Largesen")
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert len(response.context["cases"]) == 25
    assert len(many.captured_queries) == len(few.captured_queries)


def test_name_search_query_count_does_not_grow_with_rows(world):
    client = verified_client(world.member_a)
    for i in range(3):
        _case(world, world.unit_a, f"S{i}", "Hansen")
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"q": "hansen"})
    for i in range(27):
        _case(world, world.unit_a, f"L{i}", "Hansen")
    with CaptureQueriesContext(connection) as many:
        client.get(URL, {"q": "hansen"})
    assert len(many.captured_queries) == len(few.captured_queries)
    assert AccessLog.objects.filter(part="name_search").count() == 3 + 25


# Showing names ------------------------------------------------------------------

REVEAL = reverse("cases:reveal_names")


def test_reveal_names_shows_names_and_logs_one_record_per_person(world, cases):
    a1, a2, _b1 = cases
    response = verified_client(world.member_a).post(REVEAL, {"ids": f"{a1.pk} {a2.pk}"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Anna Andersen" in body and "Bent Berg" in body
    logs = AccessLog.objects.filter(user=world.member_a, part="identity")
    assert sorted((log.person_id, log.case_id) for log in logs) == sorted(
        [(a1.person_id, a1.pk), (a2.person_id, a2.pk)]
    )


def test_reveal_names_ignores_cases_outside_scope(world, cases):
    a1, _a2, b1 = cases
    body = (
        verified_client(world.member_a).post(REVEAL, {"ids": f"{a1.pk} {b1.pk}"}).content.decode()
    )
    assert "Carlsen" not in body
    assert not AccessLog.objects.filter(person_id=b1.person_id).exists()


def test_reveal_names_logs_once_per_person_with_several_cases(world):
    first = _case(world, world.unit_a, "Eva", "Egholm")
    case_transition(actor=world.member_a, case=first, target="withdrawn", reason="Stopped.")
    second = make_case(world.coordinator_a, world.unit_a, person=first.person)
    verified_client(world.member_a).post(REVEAL, {"ids": f"{first.pk},{second.pk}"})
    assert AccessLog.objects.filter(part="identity", person_id=first.person_id).count() == 1


def test_reveal_names_htmx_swaps_the_name_cells(world, cases):
    a1 = cases[0]
    response = verified_client(world.member_a).post(
        REVEAL, {"ids": str(a1.pk)}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "<html" not in body
    assert f'id="name-{a1.pk}" hx-swap-oob="true"' in body
    assert "Anna Andersen" in body


def test_reveal_names_through_break_glass_is_flagged(world, cases):
    a1 = cases[0]
    break_glass_open(
        actor=world.member_b, reference=a1.reference, reason="Urgent threat assessment today"
    )
    verified_client(world.member_b).post(REVEAL, {"ids": str(a1.pk)})
    log = AccessLog.objects.get(user=world.member_b, part="identity")
    assert log.break_glass


def test_mentor_may_reveal_their_mentees_name(world, cases):
    from vejud.cases.services import mentor_assign

    a1 = cases[0]
    mentor_assign(actor=world.coordinator_a, case=a1, mentor=world.mentor)
    client = verified_client(world.mentor)
    assert a1.reference in client.get(URL).content.decode()
    assert cases[1].reference not in client.get(URL).content.decode()
    assert "Anna Andersen" in client.post(REVEAL, {"ids": str(a1.pk)}).content.decode()


@pytest.mark.parametrize("ids", ["", "abc", "1 2 x", " ".join(["1"] * 101)])
def test_reveal_names_rejects_bad_input(world, ids):
    response = verified_client(world.member_a).post(REVEAL, {"ids": ids})
    assert response.status_code == 400


@pytest.mark.parametrize("role", ["analyst", "sysadmin", "auditor"])
def test_reveal_names_wrong_role_403(world, cases, role):
    response = verified_client(getattr(world, role)).post(REVEAL, {"ids": str(cases[0].pk)})
    assert response.status_code == 403
    assert not AccessLog.objects.exists()


def test_reveal_names_get_is_not_allowed(world):
    assert verified_client(world.member_a).get(REVEAL).status_code == 405


# The protected address never appears --------------------------------------------


def test_protected_address_never_in_list_search_or_names_even_for_custodian(world, cases):
    a1 = cases[0]
    protect_address(
        world, a1, SECRET_ADDRESS, requested_on=date(2026, 1, 5), cpr_protection="requested"
    )
    client = verified_client(world.coordinator_a)  # a custodian
    pages = [
        client.get(URL),
        client.get(URL, {"q": "anna"}),
        client.get(URL, {"q": a1.reference}),
        client.get(URL, {"q": "skjultvej"}),
        client.post(REVEAL, {"ids": str(a1.pk)}),
        client.post(REVEAL, {"ids": str(a1.pk)}, HTTP_HX_REQUEST="true"),
    ]
    for response in pages:
        assert response.status_code == 200
        body = response.content.decode()
        assert "Skjultvej" not in body
        assert "Ingenby" not in body


def test_filter_selects_keep_the_choice_and_report_an_invalid_one_accessibly(world, cases):
    client = verified_client(world.member_a)
    body = client.get(URL, {"status": "assessment", "track": "bogus"}).content.decode()
    # The chosen status stays selected; the labels are the status names.
    assert '<option value="assessment" selected>Assessment</option>' in body
    assert '<option value="inquiry">Inquiry</option>' in body
    # The invalid track is reported next to its select, which points to the message.
    assert 'class="form-group form-error"' in body
    assert '<span class="form-error-message" id="id_track_error">' in body
    assert 'id="id_track" aria-invalid="true" aria-describedby="id_track_error"' in body
    assert 'id="id_status" aria-invalid' not in body
    # Each select has its label.
    for name in ("status", "track", "unit"):
        assert f'<label class="form-label" for="id_{name}">' in body
    # The unit filter offers "All" first, then the units in scope only.
    assert f'<option value="" selected>All</option><option value="{world.unit_a.pk}">' in body


def test_status_badges_are_the_same_on_the_caseload_and_the_case_page(world, cases):
    client = verified_client(world.member_a)
    badge = '<span class="badge badge-info">Inquiry</span>'
    assert badge in client.get(URL).content.decode()
    assert badge in client.get(cases[0].get_absolute_url()).content.decode()
