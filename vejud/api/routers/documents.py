"""Case documents through the API: the list, a download, adding (multipart) and removing.

The same services, action table and rule as the pages (``vejud.casedocs``,
``vejud.access.documents``): the case's caseworkers see every document, its mentor only
those marked for the mentor (another is a 404, like one that does not exist). Reads and
downloads are access-logged with channel "api".
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from pydantic import Field

from vejud.access.documents import documents_visible
from vejud.access.rules import Part
from vejud.api.gates import CaseGate, case_access_of, log_case_read
from vejud.api.operations import READ_ERRORS, Operation, register
from vejud.api.schemas import STORED_FILE, IdPath, ReferencePath, UserName
from vejud.casedocs.actions import DOCUMENT_ADD, DOCUMENT_REMOVE
from vejud.casedocs.models import CaseDocument, DocumentKind
from vejud.casedocs.services import TITLE_MAX, document_content
from vejud.core.uploads import download

router = Router(tags=["documents"])

READER = CaseGate(part=Part.MENTOR_VIEW)
BASE = "/cases/{reference}/documents"


class DocumentOut(Schema):
    id: int
    title: str
    kind: DocumentKind
    for_mentor: bool
    filename: str
    content_type: str
    size: int
    uploaded_by: UserName
    uploaded_at: datetime


class DocumentListOut(Schema):
    items: list[DocumentOut]


class DocumentIn(Schema):
    """The form fields of an upload (multipart/form-data, with the file as ``file``)."""

    title: Annotated[str, Field(min_length=1, max_length=TITLE_MAX)]
    kind: DocumentKind
    for_mentor: bool = False


class DocumentRemovalIn(Schema):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class DocumentRemovedOut(Schema):
    id: int
    removed_at: datetime
    removed_by: UserName
    removal_reason: str


def _visible(request: HttpRequest) -> Any:
    access = case_access_of(request)
    return access, documents_visible(access).select_related("uploaded_by").defer("content")


@READER.route(
    router.get,
    BASE,
    {200: DocumentListOut, **READ_ERRORS},
    "case_documents",
    "List the case's documents you may see",
)
def documents(request: HttpRequest, reference: str = ReferencePath) -> Any:
    """Newest first; a mentor gets only those marked for the mentor. The read is logged."""
    access, rows = _visible(request)
    log_case_read(request, access, "documents")
    return {"items": list(rows)}


@READER.route(
    router.get,
    BASE + "/{document_id}",
    {200: None, **READ_ERRORS},
    "case_document",
    "Download a document of the case",
    openapi_extra=STORED_FILE,
)
def document(
    request: HttpRequest,
    reference: str = ReferencePath,
    document_id: int = IdPath,
) -> HttpResponse:
    """The file as stored (its type sniffed on upload), as an attachment. Logged."""
    access, rows = _visible(request)
    found: CaseDocument = get_object_or_404(rows.defer(None), pk=document_id)
    log_case_read(request, access, f"document:{found.pk}")
    return download(
        document_content(found), content_type=found.content_type, filename=found.filename
    )


def _listed(document: CaseDocument) -> CaseDocument:
    return CaseDocument.objects.select_related("uploaded_by").get(pk=document.pk)


register(
    router,
    Operation(
        DOCUMENT_ADD,
        "/documents",
        DocumentIn,
        DocumentOut,
        _listed,
        "Add a document to the case (PDF, PNG or JPEG)",
        "case_document_add",
        description=(
            "multipart/form-data with ``title``, ``kind``, ``for_mentor`` and ``file``. The "
            "file's real type is checked from its content and its size is limited (422)."
        ),
    ),
    Operation(
        DOCUMENT_REMOVE,
        "/documents/{document_id}/removal",
        DocumentRemovalIn,
        DocumentRemovedOut,
        lambda document: CaseDocument.objects.select_related("removed_by").get(pk=document.pk),
        "Remove a document put on the case by mistake (its content is deleted)",
        "case_document_remove",
        status=200,
    ),
)
