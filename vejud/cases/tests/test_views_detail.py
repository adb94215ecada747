"""The case page: person header, parts by basis, logged reveals, break-glass banner."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vejud.audit.models import AccessLog
from vejud.cases.services import break_glass_open, journal_add, mentor_assign
from vejud.cases.views import JOURNAL_PAGE_SIZE
from vejud.people.models import Attachment, GangGroup, GroupKind
from vejud.people.services import person_access_rule_add, protected_address_set
from vejud.testing import end_case, make_case, make_ended_case, verified_client
from vejud.testing.builders import protect_address

CPR = "1705951234"


@pytest.fixture
def case(world):
    group = GangGroup.objects.create(name="Testgruppen", kind=GroupKind.GANG)
    case = make_case(
        world.coordinator_a,
        world.unit_a,
        first_name="Frida",
        last_name="Frost",
        cpr=CPR,
        gang_group=group,
        gang_role="Runner",
        attachment=Attachment.MEMBER,
        threat_notes="Threatened by former associates in March",
    )
    journal_add(actor=world.member_a, case=case, text="First meeting held at the town hall.")
    return case


def url(case, name="cases:detail"):
    return reverse(name, kwargs={"reference": case.reference})


def test_member_of_the_unit_sees_the_case_page(world, case):
    response = verified_client(world.member_a).get(url(case))
    body = response.content.decode()
    assert response.status_code == 200
    assert case.reference in body
    assert "Frida Frost" in body
    assert "170595-xxxx" in body
    assert CPR not in body and "170595-1234" not in body
    assert case.get_status_display() in body
    assert world.unit_a.name in body
    assert "Testgruppen" in body and "Runner" in body
    assert "First meeting held at the town hall." in body
    assert "Threatened by former associates" not in body  # only on an explicit click


def test_case_page_view_is_logged(world, case):
    verified_client(world.member_a).get(url(case))
    log = AccessLog.objects.get(user=world.member_a)
    assert (log.part, log.person_id, log.case_id, log.break_glass) == (
        "case",
        case.person_id,
        case.pk,
        False,
    )


def test_other_unit_gets_404(world, case):
    response = verified_client(world.member_b).get(url(case))
    assert response.status_code == 404
    assert "Frida" not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_missing_case_gets_the_same_404(world, case):
    assert verified_client(world.member_a).get("/sager/EX-2026-99999/").status_code == 404


@pytest.mark.parametrize("role", ["analyst", "sysadmin", "nobody"])
def test_wrong_role_gets_403(world, case, role):
    assert verified_client(getattr(world, role)).get(url(case)).status_code == 403


def test_auditor_without_break_glass_gets_404(world, case):
    assert verified_client(world.auditor).get(url(case)).status_code == 404


def test_national_adviser_sees_any_case(world, case):
    assert verified_client(world.adviser).get(url(case)).status_code == 200


def test_post_is_not_allowed(world, case):
    assert verified_client(world.member_a).post(url(case)).status_code == 405


def test_mentor_sees_only_summary_and_name(world, case):
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    response = verified_client(world.mentor).get(url(case))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Frida Frost" in body
    assert case.get_status_display() in body
    assert "170595" not in body
    assert "Testgruppen" not in body
    assert "First meeting" not in body
    assert url(case, "cases:journal_add") not in body
    assert url(case, "cases:reveal_threats") not in body
    assert url(case, "cases:reveal_cpr") not in body


def test_mentor_of_another_case_gets_404(world, case):
    other = make_case(world.coordinator_a, world.unit_a, first_name="Gert", last_name="Gram")
    mentor_assign(actor=world.coordinator_a, case=other, mentor=world.mentor)
    assert verified_client(world.mentor).get(url(case)).status_code == 404


def test_break_glass_shows_banner_and_logs_flag(world, case):
    break_glass_open(
        actor=world.member_b, reference=case.reference, reason="Person arrested in our district"
    )
    response = verified_client(world.member_b).get(url(case))
    assert response.status_code == 200
    assert "logged and reviewed by the auditor" in response.content.decode()
    assert AccessLog.objects.get(user=world.member_b, part="case").break_glass


def test_no_banner_in_normal_access(world, case):
    body = verified_client(world.member_a).get(url(case)).content.decode()
    assert "reviewed by the auditor" not in body


def test_exclusion_list_gives_404_without_its_message(world, case):
    person_access_rule_add(
        actor=world.coordinator_a,
        person=case.person,
        kind="exclusion",
        user=world.member_a,
        message="Family relation: handled by another caseworker.",
    )
    response = verified_client(world.member_a).get(url(case))
    assert response.status_code == 404
    assert "Family relation" not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_earlier_attempts_are_filtered_through_visibility(world, case):
    end_case(world.coordinator_a, case)
    earlier_a = make_ended_case(world.coordinator_a, world.unit_a, person=case.person)
    attempt_b = make_ended_case(world.coordinator_b, world.unit_b, person=case.person)
    body = verified_client(world.member_a).get(url(case)).content.decode()
    assert earlier_a.reference in body
    assert attempt_b.reference not in body
    body = verified_client(world.adviser).get(url(case)).content.decode()
    assert attempt_b.reference in body


def test_mentors_are_listed(world, case):
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    body = verified_client(world.member_a).get(url(case)).content.decode()
    assert world.mentor.full_name in body


# Showing the CPR number and the threats ------------------------------------------


def test_reveal_cpr_logs_and_shows_the_full_number(world, case):
    response = verified_client(world.member_a).post(
        url(case, "cases:reveal_cpr"), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "170595-1234" in body
    assert "<html" not in body
    log = AccessLog.objects.get(user=world.member_a, part="cpr")
    assert (log.person_id, log.case_id) == (case.person_id, case.pk)


def test_reveal_cpr_without_javascript_renders_the_case_page(world, case):
    response = verified_client(world.member_a).post(url(case, "cases:reveal_cpr"))
    assert "170595-1234" in response.content.decode()
    assert set(AccessLog.objects.values_list("part", flat=True)) == {"cpr", "case"}


def test_reveal_cpr_other_unit_404_mentor_404_wrong_role_403(world, case):
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    target = url(case, "cases:reveal_cpr")
    assert verified_client(world.member_b).post(target).status_code == 404
    assert verified_client(world.mentor).post(target).status_code == 404
    assert verified_client(world.analyst).post(target).status_code == 403
    assert verified_client(world.member_a).get(target).status_code == 405
    assert not AccessLog.objects.exists()


def test_reveal_threats_is_logged(world, case):
    response = verified_client(world.member_a).post(
        url(case, "cases:reveal_threats"), HTTP_HX_REQUEST="true"
    )
    assert "Threatened by former associates" in response.content.decode()
    assert (
        AccessLog.objects.filter(user=world.member_a, part="threats", case_id=case.pk).count() == 1
    )


def test_reveal_threats_other_unit_404_mentor_404_wrong_role_403(world, case):
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    target = url(case, "cases:reveal_threats")
    assert verified_client(world.member_b).post(target).status_code == 404
    assert verified_client(world.mentor).post(target).status_code == 404
    assert verified_client(world.sysadmin).post(target).status_code == 403
    assert not AccessLog.objects.exists()


# The protected address on the case page -------------------------------------------


@pytest.fixture
def protected(world, case):
    protect_address(
        world,
        case,
        "Gemtvej 4, 9990 Intetsted",
        cpr_protection="confirmed",
        requested_on=date(2026, 1, 2),
        confirmed_on=date(2026, 1, 9),
    )
    return case


def test_custodian_sees_only_a_link_never_the_address(world, protected):
    body = verified_client(world.coordinator_a).get(url(protected)).content.decode()
    assert url(protected, "cases:protected_address") in body
    assert "Gemtvej" not in body


def test_non_custodian_sees_nothing_of_the_address(world, protected):
    body = verified_client(world.member_a).get(url(protected)).content.decode()
    assert "beskyttet-adresse" not in body
    assert "Protected address" not in body
    assert "Gemtvej" not in body


def test_register_link_does_not_depend_on_existence(world, case):
    other = make_case(world.coordinator_a, world.unit_a, first_name="Hans", last_name="Holm")
    protected_address_set(
        actor=world.coordinator_a,
        person=other.person,
        case=other,
        address="Somewhere 1",
        reason="Relocated",
    )
    client = verified_client(world.head)  # may manage person access, custodian of neither
    with_address = client.get(url(other)).content.decode()
    without_address = client.get(url(case)).content.decode()
    assert url(other, "cases:protected_address_new") in with_address
    assert url(case, "cases:protected_address_new") in without_address
    assert url(other, "cases:protected_address") + '"' not in with_address


# Query counts ----------------------------------------------------------------------


def test_journal_query_count_does_not_grow_with_notes(world):
    few_case = make_case(world.coordinator_a, world.unit_a, first_name="Ib", last_name="Isak")
    many_case = make_case(world.coordinator_a, world.unit_a, first_name="Jo", last_name="Juhl")
    for i in range(3):
        journal_add(actor=world.member_a, case=few_case, text=f"Note {i}")
    for i in range(40):
        entry = journal_add(actor=world.member_a, case=many_case, text=f"Note {i}")
    from vejud.cases.services import journal_correct

    journal_correct(actor=world.member_a, entry=entry, text="Fixed", reason="Typo")
    client = verified_client(world.member_a)
    client.get(url(few_case))
    with CaptureQueriesContext(connection) as few:
        client.get(url(few_case))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url(many_case))
    assert len(response.context["entries"]) == JOURNAL_PAGE_SIZE
    # Session, user, case, access lists; the access-log row in the page's transaction
    # (savepoint, insert, release here inside the test's transaction); custodian, mentors (one
    # read a request: the page's facts and the course panel), break-glass grants, the persons
    # whose lists bar the user (once a request), earlier cases, journal; the case's transfers
    # (one read a request: what can be done now asks whether one is pending, the transfers
    # panel lists them); the inquiry; the process panel's consents and one read of the three
    # assessments; the documents; the advice answers filed on the case; the person's retention
    # date (one query: the cases with the anonymisation and a hold as subqueries). No grants
    # before assessment, no device, no memberships.
    assert len(many.captured_queries) == len(few.captured_queries) == 20, [
        q["sql"][:90] for q in few.captured_queries
    ]


def test_the_journal_pages_through_every_note_with_the_same_queries(world):
    case = make_case(world.coordinator_a, world.unit_a, first_name="Jo", last_name="Juhl")
    for i in range(2 * JOURNAL_PAGE_SIZE + 3):
        entry = journal_add(actor=world.member_a, case=case, text=f"Note {i}")
    from vejud.cases.services import journal_correct

    correction = journal_correct(actor=world.member_a, entry=entry, text="Fixed", reason="Typo")
    client = verified_client(world.member_a)
    seen: list[int] = []
    queries: list[int] = []
    page_url = url(case)
    while page_url:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page_url)
        queries.append(len(captured.captured_queries))
        entries = response.context["entries"]
        if not seen:
            corrected = next(e for e in entries if e.pk == entry.pk)
            assert corrected.correction.pk == correction.pk
        seen += [e.pk for e in entries]
        page_url = response.context["journal_older_url"].split("#")[0]

    assert len(seen) == len(set(seen)) == 2 * JOURNAL_PAGE_SIZE + 4
    assert seen == sorted(seen, reverse=True)
    assert len(queries) == 3
    assert queries[1] == queries[2]  # a deeper page costs what the second page costs


def test_panels_of_later_states_cost_nothing_and_the_log_row_joins_the_page(world):
    case = make_case(world.coordinator_a, world.unit_a, first_name="Ib", last_name="Isak")
    client = verified_client(world.member_a)
    client.get(url(case))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url(case)).status_code == 200
    sql = [q["sql"] for q in captured.captured_queries]
    for later in ("pool_application", "transfers_releaseplan", "decisions_", "courses_"):
        assert not any(later in q for q in sql), later
    assert sum("assessments_" in q for q in sql) == 1  # the three instruments in one UNION
    insert = next(i for i, q in enumerate(sql) if q.startswith('INSERT INTO "audit_accesslog"'))
    # Inside the test's transaction, the page's own atomic block is a savepoint around it.
    assert sql[insert - 1].startswith("SAVEPOINT")
    assert sql[-1].startswith("RELEASE SAVEPOINT")


def test_the_case_facts_name_the_mentor_in_force(world, case):
    page = verified_client(world.member_a).get(url(case)).content.decode()
    facts = page[
        page.index('id="case-heading"') : page.index("</dl>", page.index('id="case-heading"'))
    ]
    assert "Mentor" not in facts
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    page = verified_client(world.member_a).get(url(case)).content.decode()
    facts = page[
        page.index('id="case-heading"') : page.index("</dl>", page.index('id="case-heading"'))
    ]
    assert "<dt>Mentor</dt>" in facts and world.mentor.full_name in facts
