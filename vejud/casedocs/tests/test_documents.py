"""Case documents (issue 14, rough edge 12): upload sniffed, size-capped and encrypted at
rest; the list and downloads per role (caseworkers all, the mentor only documents marked for
the mentor, another unit nothing); downloads as attachments with nosniff, each logged;
removal with a reason. Pages and API alike."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings

from vejud.audit.models import AccessLog, AuditEvent
from vejud.casedocs.models import CaseDocument
from vejud.casedocs.services import document_add, document_content, document_remove
from vejud.cases.services import mentor_assign
from vejud.testing import make_admitted_case, verified_client
from vejud.testing.api import JsonApi

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SECRET_TITLE = "Udtalelse fra jobcentret om Hemmelig Person"


@pytest.fixture
def case(world):
    case = make_admitted_case(world)
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    return case


def add(world, case, *, for_mentor: bool = False, title: str = SECRET_TITLE, **kw: Any):
    return document_add(
        actor=world.member_a,
        case=case,
        kind=kw.get("kind", "report"),
        title=title,
        for_mentor=for_mentor,
        filename=kw.get("filename", "../../etc/udtalelse.pdf"),
        data=kw.get("data", PDF),
    )


def page(case, suffix: str = "") -> str:
    return f"/sager/{case.reference}/dokumenter/{suffix}"


# --- Service -----------------------------------------------------------------------------


def test_a_document_is_sniffed_named_safely_and_encrypted_at_rest(world, case):
    document = add(world, case)
    assert document.content_type == "application/pdf"
    assert document.filename == "udtalelse.pdf"
    assert document_content(document) == PDF
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT content, title FROM casedocs_casedocument WHERE id = %s", [document.pk]
        )
        content, title = cursor.fetchone()
    assert PDF not in bytes(content)
    assert "Hemmelig" not in title
    event = AuditEvent.objects.get(action="case_document.add")
    assert event.case_id == case.pk and "Hemmelig" not in str(event.changes)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"MZ\x90\x00 an executable", "file_type"),
        (b"%PDF-1.4 truncated", "file_type"),
        (b"", "empty"),
        (b"%PDF-" + b"x" * 2048 + b"%%EOF", "too_large"),
    ],
)
@override_settings(VEJUD_CASE_DOCUMENT_MAX_BYTES=1024)
def test_what_is_not_a_document_is_refused_and_nothing_stored(world, case, data, code):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        add(world, case, data=data)
    assert refused.value.code == code
    assert not CaseDocument.objects.exists()


def test_a_mentor_or_another_unit_cannot_add(world, case):
    from django.core.exceptions import PermissionDenied

    for actor in (world.mentor, world.member_b):
        with pytest.raises(PermissionDenied):
            document_add(
                actor=actor,
                case=case,
                kind="report",
                title="x",
                for_mentor=False,
                filename="x.pdf",
                data=PDF,
            )
    assert not CaseDocument.objects.exists()


def test_removal_deletes_the_content_and_keeps_the_record(world, case):
    document = document_remove(
        actor=world.coordinator_a, document=add(world, case), reason="Lagt på forkert sag"
    )
    document.refresh_from_db()
    assert bytes(document.content) == b""
    assert document.removed_by == world.coordinator_a and document.removal_reason
    assert AuditEvent.objects.filter(action="case_document.remove", case_id=case.pk).exists()


# --- Pages ---------------------------------------------------------------------------------


def test_upload_through_the_page_then_it_is_listed_and_downloads_as_an_attachment(world, case):
    client = verified_client(world.member_a)
    form = client.get(page(case, "ny/"))
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in form.content.decode()
    response = client.post(
        page(case, "ny/"),
        {
            "document-title": "Handleplan underskrevet",
            "document-kind": "agreement",
            "document-for_mentor": "on",
            "document-file": SimpleUploadedFile("plan.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302, response.content.decode()
    document = CaseDocument.objects.get()
    assert document.for_mentor and document.uploaded_by == world.member_a
    html = client.get(case.get_absolute_url()).content.decode()
    assert 'id="documents"' in html and "Handleplan underskrevet" in html
    download = client.get(page(case, f"{document.pk}/"))
    assert download.status_code == 200
    assert download.content == PDF
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download["Cache-Control"]
    assert AccessLog.objects.filter(
        user=world.member_a, case_id=case.pk, part=f"document:{document.pk}"
    ).exists()


def test_an_upload_that_is_not_a_document_shows_the_error_on_the_form(world, case):
    client = verified_client(world.member_a)
    response = client.post(
        page(case, "ny/"),
        {
            "document-title": "Noget",
            "document-kind": "other",
            "document-file": SimpleUploadedFile("virus.pdf", b"MZ\x90\x00", "application/pdf"),
        },
    )
    assert response.status_code == 200
    assert "Only PDF documents and PNG or JPEG images" in response.content.decode()
    assert not CaseDocument.objects.exists()


def test_the_mentor_sees_only_documents_marked_for_the_mentor(world, case):
    shown = add(world, case, for_mentor=True, title="Til mentor")
    hidden = add(world, case, title="Kun enheden")
    client = verified_client(world.mentor)
    html = client.get(case.get_absolute_url()).content.decode()
    assert "Til mentor" in html and "Kun enheden" not in html
    assert client.get(page(case, f"{shown.pk}/")).status_code == 200
    assert client.get(page(case, f"{hidden.pk}/")).status_code == 404
    # Adding and removing are casework: the journal part, which a mentor does not see (404).
    assert client.get(page(case, "ny/")).status_code == 404
    assert client.get(page(case, f"{shown.pk}/fjern/")).status_code == 404


def test_another_unit_gets_404_for_the_list_the_form_and_the_document(world, case):
    document = add(world, case)
    client = verified_client(world.member_b)
    for url in (
        page(case, "ny/"),
        page(case, f"{document.pk}/"),
        page(case, f"{document.pk}/fjern/"),
    ):
        assert client.get(url).status_code == 404, url


def test_wrong_role_is_403(world, case):
    document = add(world, case)
    client = verified_client(world.analyst)
    for url in (page(case, "ny/"), page(case, f"{document.pk}/")):
        assert client.get(url).status_code == 403, url


def test_remove_through_the_page_asks_for_a_reason(world, case):
    document = add(world, case)
    client = verified_client(world.coordinator_a)
    form = client.get(page(case, f"{document.pk}/fjern/")).content.decode()
    assert "udtalelse.pdf" in form
    assert (
        client.post(page(case, f"{document.pk}/fjern/"), {"remove-reason": ""}).status_code == 200
    )
    response = client.post(page(case, f"{document.pk}/fjern/"), {"remove-reason": "Forkert sag"})
    assert response.status_code == 302
    html = client.get(case.get_absolute_url()).content.decode()
    assert SECRET_TITLE not in html
    assert client.get(page(case, f"{document.pk}/")).status_code == 404


# --- API -----------------------------------------------------------------------------------


def api_base(case) -> str:
    return f"/api/v1/cases/{case.reference}/documents"


def test_api_upload_list_download_and_remove(world, case):
    api = JsonApi(world.member_a)
    response = api.client.post(
        api_base(case),
        {
            "title": "Erklæring",
            "kind": "report",
            "for_mentor": "true",
            "file": SimpleUploadedFile("e.pdf", PDF),
        },
        headers=api.headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "Erklæring" and body["for_mentor"] is True
    assert body["content_type"] == "application/pdf"
    listed = api.get(api_base(case)).json()["items"]
    assert [d["id"] for d in listed] == [body["id"]]
    download = api.get(f"{api_base(case)}/{body['id']}")
    assert download.content == PDF and download["X-Content-Type-Options"] == "nosniff"
    assert AccessLog.objects.filter(channel="api", part=f"document:{body['id']}").exists()
    removed = api.post(f"{api_base(case)}/{body['id']}/removal", {"reason": "Dublet"})
    assert removed.status_code == 200, removed.content
    assert api.get(api_base(case)).json()["items"] == []


def test_api_refuses_a_file_that_is_not_a_document_with_422(world, case):
    api = JsonApi(world.member_a)
    response = api.client.post(
        api_base(case),
        {"title": "x", "kind": "report", "file": SimpleUploadedFile("x.pdf", b"MZ")},
        headers=api.headers,
    )
    assert response.status_code == 422
    assert not CaseDocument.objects.exists()


def test_api_lists_per_role(world, case):
    shown = add(world, case, for_mentor=True, title="Til mentor")
    hidden = add(world, case, title="Kun enheden")

    def listed(user):
        response = JsonApi(user).get(api_base(case))
        return response.status_code, [d["id"] for d in response.json().get("items", [])]

    assert listed(world.member_a) == (200, [hidden.pk, shown.pk])
    assert listed(world.mentor) == (200, [shown.pk])
    assert listed(world.member_b)[0] == 404
    assert listed(world.analyst)[0] == 403
    mentor = JsonApi(world.mentor)
    assert mentor.get(f"{api_base(case)}/{hidden.pk}").status_code == 404
    assert mentor.get(f"{api_base(case)}/999999").status_code == 404
