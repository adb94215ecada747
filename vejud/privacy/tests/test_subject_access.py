"""Subject-access export (GDPR art. 15): everything held on a person, withheld parts with
their reason, never the protected address; who may produce it; every step recorded."""

from __future__ import annotations

import io
import json
import uuid
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pypdf import PdfReader

from vejud.audit.models import AccessLog, AuditEvent
from vejud.cases.models import JournalEntry
from vejud.cases.services import journal_add
from vejud.people.models import AccessRuleKind
from vejud.people.services import person_access_rule_add
from vejud.privacy.collect import EXCLUDED_MODELS, withholding_candidates
from vejud.privacy.models import SubjectAccessExport
from vejud.privacy.services import subject_access_export_create
from vejud.testing import make_case
from vejud.testing.builders import (
    ADDRESS,
    CPR,
    THREATS,
    make_full_course,
    protect_address,
    verified_client,
)
from vejud.testing.pool import make_grant, make_pool

NOTE = "Met his brother's friend from the crew; worried about it."


@pytest.fixture
def course(world):
    make_pool(world)
    course = make_full_course(
        world, cpr=CPR, birth_date=date(1990, 1, 1), threat_notes=THREATS, first_name="Sune"
    )
    protect_address(world, course.case)
    journal_add(actor=world.member_a, case=course.case, text=NOTE)
    make_grant(world, course.case)
    return course


def page(person):
    return reverse("privacy:subject_access", kwargs={"public_id": person.public_id})


def download(export, fmt):
    return reverse(
        "privacy:subject_access_download",
        kwargs={"public_id": export.person.public_id, "export_id": export.pk, "fmt": fmt},
    )


def _every_record(person):
    """Every row in any table that points at the person, their cases, or rows pointing at
    those (two steps), except the tables the export leaves out by rule: found independently
    of the export's own walk, from the model registry."""
    from django.apps import apps

    from vejud.cases.models import Case

    owners = {("people.person", person.pk)} | {
        ("cases.case", pk) for pk in Case.objects.filter(person=person).values_list("pk", flat=True)
    }
    found: set[tuple[str, int]] = set()
    for _round in range(3):
        for model in apps.get_models():
            kind = model._meta.label_lower
            if kind in EXCLUDED_MODELS:
                continue
            for f in model._meta.concrete_fields:
                if not f.is_relation or f.related_model is None:
                    continue
                target = f.related_model._meta.label_lower
                pks = [pk for k, pk in owners | found if k == target]
                if not pks:
                    continue
                for pk in model._default_manager.filter(**{f"{f.name}__in": pks}).values_list(
                    "pk", flat=True
                ):
                    if (kind, pk) not in owners:
                        found.add((kind, pk))
    return found


def test_every_record_is_in_the_json_and_the_pdf(world, course):
    person = course.case.person
    export = subject_access_export_create(actor=world.coordinator_a, person=person, withheld={})
    client = verified_client(world.coordinator_a)
    client.get(reverse("cases:detail", kwargs={"reference": course.case.reference}))

    response = client.get(download(export, "json"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert person.last_name not in response["Content-Disposition"]
    data = json.loads(response.content)
    in_json = {(s["kind"], row["id"]) for s in data["sections"] for row in s["rows"]}
    expected = _every_record(person)
    # One of everything a course holds, and the walk misses none of them.
    kinds = {kind for kind, _pk in expected}
    assert {
        "cases.journalentry",
        "cases.mentorassignment",
        "intake.consent",
        "assessments.motivationassessment",
        "assessments.suitabilityassessment",
        "assessments.targetgroupassessment",
        "decisions.decision",
        "courses.plangoal",
        "courses.planaction",
        "courses.caseoffer",
        "courses.mentormeeting",
        "followup.review",
        "pool.application",
    } <= kinds
    assert expected <= in_json
    assert ("cases.case", course.case.pk) in in_json
    assert data["person"]["cpr"] == CPR
    assert data["person"]["threat_notes"] == THREATS
    assert [(e["user"], e["part"]) for e in data["access_log"]][:1] == [
        (world.coordinator_a.full_name, "case")
    ]
    assert ADDRESS not in response.content.decode()

    pdf = client.get(download(export, "pdf"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = " ".join(
        (p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf.content)).pages
    ).replace("\n", " ")
    assert "Sune" in text
    assert course.case.reference in text
    assert NOTE[:30] in text
    assert THREATS[:30] in text
    assert ADDRESS not in text


def test_a_withheld_part_is_absent_with_its_reason(world, course):
    person = course.case.person
    note = JournalEntry.objects.get(text=NOTE)
    keys = {c.key for c in withholding_candidates(person)}
    threat_key = f"people.person:{person.pk}:threat_notes"
    note_key = f"cases.journalentry:{note.pk}"
    assert {threat_key, note_key} <= keys

    client = verified_client(world.coordinator_a)
    response = client.post(
        page(person),
        {
            f"withhold_people_person_{person.pk}_threat_notes": "on",
            f"reason_people_person_{person.pk}_threat_notes": "Names the people who threaten.",
            f"withhold_cases_journalentry_{note.pk}": "on",
            f"reason_cases_journalentry_{note.pk}": "Names a third person.",
        },
    )
    assert response.status_code == 302
    export = SubjectAccessExport.objects.get(person=person)
    reasons = {entry["item"]: entry["reason"] for entry in export.withheld}
    assert reasons == {
        threat_key: "Names the people who threaten.",
        note_key: "Names a third person.",
    }
    event = AuditEvent.objects.get(action="privacy.subject_access_export")
    assert event.person_id == person.pk and event.actor_id == world.coordinator_a.pk
    assert THREATS not in json.dumps(event.changes) and NOTE not in json.dumps(event.changes)

    body = client.get(download(export, "json")).content.decode()
    assert THREATS not in body and NOTE not in body
    assert "Names a third person." in body and "Names the people who threaten." in body
    pdf = client.get(download(export, "pdf")).content
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
    assert THREATS[:30] not in text and NOTE[:30] not in text
    assert "Names a third person." in text


def test_withholding_needs_a_reason(world, course):
    person = course.case.person
    response = verified_client(world.coordinator_a).post(
        page(person), {f"withhold_people_person_{person.pk}_threat_notes": "on"}
    )
    assert response.status_code == 200
    assert "Give the reason" in response.content.decode()
    assert not SubjectAccessExport.objects.exists()
    with pytest.raises(ValidationError):
        subject_access_export_create(
            actor=world.coordinator_a, person=person, withheld={"cases.case:1": "x"}
        )
    assert not SubjectAccessExport.objects.exists()


def test_page_lists_candidates_and_exports_and_is_logged(world, course):
    person = course.case.person
    export = subject_access_export_create(actor=world.coordinator_a, person=person, withheld={})
    response = verified_client(world.coordinator_a).get(page(person))
    body = response.content.decode()
    assert response.status_code == 200
    assert download(export, "pdf") in body and download(export, "json") in body
    assert THREATS[:30] in body  # the coordinator decides on it
    assert ADDRESS not in body
    assert AccessLog.objects.filter(
        user=world.coordinator_a, person_id=person.pk, part="subject_access"
    ).exists()
    verified_client(world.coordinator_a).get(download(export, "json"))
    assert (
        AccessLog.objects.filter(
            user=world.coordinator_a, person_id=person.pk, part="subject_access"
        ).count()
        == 2
    )


def test_the_person_page_offers_it_to_those_who_may(world, course):
    person_url = reverse("people:detail", kwargs={"public_id": course.case.person.public_id})
    assert page(course.case.person) in (
        verified_client(world.coordinator_a).get(person_url).content.decode()
    )
    assert page(course.case.person) not in (
        verified_client(world.member_a).get(person_url).content.decode()
    )


@pytest.mark.parametrize("role", ["member_a", "mentor", "analyst", "auditor", "sysadmin"])
def test_wrong_role_403(world, course, role):
    export = subject_access_export_create(
        actor=world.coordinator_a, person=course.case.person, withheld={}
    )
    client = verified_client(getattr(world, role))
    assert client.get(page(course.case.person)).status_code == 403
    assert client.get(download(export, "json")).status_code == 403
    assert client.post(page(course.case.person), {}).status_code == 403
    assert SubjectAccessExport.objects.count() == 1


def test_other_unit_and_unknown_404(world, course):
    export = subject_access_export_create(
        actor=world.coordinator_a, person=course.case.person, withheld={}
    )
    client = verified_client(world.coordinator_b)
    assert client.get(page(course.case.person)).status_code == 404
    assert client.get(download(export, "pdf")).status_code == 404
    assert client.post(page(course.case.person), {}).status_code == 404
    with pytest.raises(PermissionDenied):
        subject_access_export_create(
            actor=world.coordinator_b, person=course.case.person, withheld={}
        )
    unknown = reverse("privacy:subject_access", kwargs={"public_id": uuid.uuid4()})
    assert verified_client(world.coordinator_a).get(unknown).status_code == 404
    other = make_case(world.coordinator_b, world.unit_b)
    wrong_person = reverse(
        "privacy:subject_access_download",
        kwargs={"public_id": other.person.public_id, "export_id": export.pk, "fmt": "json"},
    )
    assert verified_client(world.coordinator_b).get(wrong_person).status_code == 404
    bad_format = download(export, "xml")
    assert verified_client(world.coordinator_a).get(bad_format).status_code == 404
    assert SubjectAccessExport.objects.count() == 1


def test_national_head_may_and_a_barred_coordinator_may_not(world, course):
    person = course.case.person
    assert verified_client(world.head).get(page(person)).status_code == 200
    person_access_rule_add(
        actor=world.head,
        person=person,
        kind=AccessRuleKind.EXCLUSION,
        user=world.coordinator_a,
        message="Knows the family.",
    )
    assert verified_client(world.coordinator_a).get(page(person)).status_code == 404
