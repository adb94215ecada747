"""Journal actions on the case page: add a note, correct a note (the original stays)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vejud.audit.models import AuditEvent
from vejud.cases.models import JournalEntry
from vejud.cases.services import break_glass_open, journal_add, journal_correct, mentor_assign
from vejud.testing import make_case, verified_client


@pytest.fixture
def case(world):
    return make_case(world.coordinator_a, world.unit_a, first_name="Karl", last_name="Krog")


@pytest.fixture
def entry(world, case):
    return journal_add(actor=world.member_a, case=case, text="Met at the job centre.")


def add_url(case):
    return reverse("cases:journal_add", kwargs={"reference": case.reference})


def correct_url(entry):
    return reverse(
        "cases:journal_correct", kwargs={"reference": entry.case.reference, "entry_id": entry.pk}
    )


def test_add_note_redirects_to_the_journal(world, case):
    response = verified_client(world.member_a).post(
        add_url(case), {"note-text": "Called the mother."}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{case.get_absolute_url()}#journal"
    entry = JournalEntry.objects.get(case=case)
    assert (entry.text, entry.author) == ("Called the mother.", world.member_a)
    assert AuditEvent.objects.filter(action="journal.add", case_id=case.pk).exists()


def test_add_note_with_htmx_returns_the_journal_fragment(world, case):
    response = verified_client(world.member_a).post(
        add_url(case), {"note-text": "Called the mother."}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="journal"' in body
    assert "Called the mother." in body


def test_empty_note_is_refused(world, case):
    response = verified_client(world.member_a).post(
        add_url(case), {"note-text": "   "}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "form-error-message" in response.content.decode()
    assert not JournalEntry.objects.exists()


def test_empty_note_without_javascript_renders_the_case_page_with_errors(world, case):
    response = verified_client(world.member_a).post(add_url(case), {"note-text": ""})
    assert response.status_code == 200
    body = response.content.decode()
    assert "form-error-message" in body
    assert 'aria-invalid="true"' in body
    assert case.reference in body


def test_add_note_other_unit_404(world, case):
    assert (
        verified_client(world.member_b).post(add_url(case), {"note-text": "x"}).status_code == 404
    )
    assert not JournalEntry.objects.exists()


def test_add_note_mentor_404(world, case):
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    assert verified_client(world.mentor).post(add_url(case), {"note-text": "x"}).status_code == 404
    assert not JournalEntry.objects.exists()


@pytest.mark.parametrize("role", ["analyst", "sysadmin"])
def test_add_note_wrong_role_403(world, case, role):
    response = verified_client(getattr(world, role)).post(add_url(case), {"note-text": "x"})
    assert response.status_code == 403


def test_auditor_after_break_glass_may_read_but_not_write(world, case):
    break_glass_open(
        actor=world.auditor, reference=case.reference, reason="Review of a complaint about access"
    )
    client = verified_client(world.auditor)
    assert client.get(case.get_absolute_url()).status_code == 200
    assert client.post(add_url(case), {"note-text": "x"}).status_code == 403
    assert not JournalEntry.objects.exists()


def test_add_note_get_not_allowed(world, case):
    assert verified_client(world.member_a).get(add_url(case)).status_code == 405


def test_correct_form_page(world, entry):
    response = verified_client(world.member_a).get(correct_url(entry))
    assert response.status_code == 200
    assert "Met at the job centre." in response.content.decode()


def test_correct_form_fragment_with_htmx(world, entry):
    response = verified_client(world.member_a).get(correct_url(entry), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert f'id="correct-{entry.pk}"' in body
    assert "hx-post" in body


def test_correct_requires_a_reason(world, entry):
    prefix = f"correct-{entry.pk}"
    response = verified_client(world.member_a).post(
        correct_url(entry), {f"{prefix}-text": "Met at the library.", f"{prefix}-reason": ""}
    )
    assert response.status_code == 200
    assert "form-error-message" in response.content.decode()
    assert JournalEntry.objects.count() == 1


def test_correct_creates_a_new_entry_and_keeps_the_original(world, entry):
    prefix = f"correct-{entry.pk}"
    client = verified_client(world.member_a)
    response = client.post(
        correct_url(entry),
        {f"{prefix}-text": "Met at the library.", f"{prefix}-reason": "Wrong place"},
    )
    assert response.status_code == 302
    correction = JournalEntry.objects.get(corrects=entry)
    assert correction.text == "Met at the library."
    entry.refresh_from_db()
    assert entry.text == "Met at the job centre."
    event = AuditEvent.objects.get(action="journal.correct")
    assert event.reason == "Wrong place"
    body = client.get(entry.case.get_absolute_url()).content.decode()
    assert f'href="#entry-{correction.pk}"' in body  # "corrected by"
    assert f'href="#entry-{entry.pk}"' in body  # "corrects"
    assert correct_url(entry) not in body  # a corrected note is not corrected again


def test_correct_with_htmx_returns_the_journal(world, entry):
    prefix = f"correct-{entry.pk}"
    response = verified_client(world.member_a).post(
        correct_url(entry),
        {f"{prefix}-text": "Met at the library.", f"{prefix}-reason": "Wrong place"},
        HTTP_HX_REQUEST="true",
    )
    assert response["HX-Retarget"] == "#journal"
    assert "Met at the library." in response.content.decode()


def test_correcting_twice_is_refused(world, entry):
    journal_correct(actor=world.member_a, entry=entry, text="Second version", reason="Typo")
    prefix = f"correct-{entry.pk}"
    response = verified_client(world.member_a).post(
        correct_url(entry), {f"{prefix}-text": "Third", f"{prefix}-reason": "Again"}
    )
    assert response.status_code == 200
    assert "already been corrected" in response.content.decode()
    assert JournalEntry.objects.count() == 2


def test_correct_an_entry_of_another_case_404(world, entry):
    other = make_case(world.coordinator_a, world.unit_a, first_name="Lis", last_name="Lund")
    wrong = reverse(
        "cases:journal_correct", kwargs={"reference": other.reference, "entry_id": entry.pk}
    )
    assert verified_client(world.member_a).get(wrong).status_code == 404


def test_correct_other_unit_404_mentor_404_wrong_role_403(world, entry):
    mentor_assign(actor=world.coordinator_a, case=entry.case, mentor=world.mentor)
    assert verified_client(world.member_b).get(correct_url(entry)).status_code == 404
    assert verified_client(world.mentor).get(correct_url(entry)).status_code == 404
    assert verified_client(world.mentor).post(correct_url(entry)).status_code == 404
    assert verified_client(world.analyst).get(correct_url(entry)).status_code == 403
