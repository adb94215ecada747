"""Writes of case documents: add (sniffed, size-limited, encrypted) and remove (with a
reason; the content goes, the record stays). Keyword-only, atomic, checked and audited."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from vejud.access.casework import Actor, require_actor
from vejud.accounts.models import User
from vejud.audit.services import audit_case_change, audited_service, snapshot
from vejud.casedocs.models import CaseDocument, DocumentKind
from vejud.cases.models import Case
from vejud.core.limits import required_text
from vejud.core.records import lock_unstamped, stamp
from vejud.core.uploads import check_upload, decrypt_file

AUDITED = ["kind", "for_mentor", "filename", "content_type", "size", "sha256"]
TITLE_MAX = 200


@audited_service
def document_add(
    *,
    actor: User,
    case: Case,
    kind: str,
    title: str,
    for_mentor: bool,
    filename: str,
    data: bytes,
) -> CaseDocument:
    """Keep a file on the case (PDF, PNG or JPEG up to ``VEJUD_CASE_DOCUMENT_MAX_BYTES``)."""
    require_actor(actor, case, Actor.CASEWORKER)
    if kind not in DocumentKind.values:
        raise ValidationError(_("Choose what the document is."), code="kind")
    title = required_text(title, _("Give the document a title."), code="title")
    if len(title) > TITLE_MAX:
        raise ValidationError(_("The title is too long."), code="title")
    checked = check_upload(
        filename=filename,
        data=data,
        limit=settings.VEJUD_CASE_DOCUMENT_MAX_BYTES,
        fallback="dokument",
    )
    document = CaseDocument.objects.create(
        case=case,
        kind=kind,
        title=title,
        for_mentor=bool(for_mentor),
        **checked.stored(),
        uploaded_by=actor,
    )
    audit_case_change(
        actor=actor,
        action="case_document.add",
        obj=document,
        changes=snapshot(document, AUDITED),
        case=case,
    )
    return document


@audited_service
def document_remove(*, actor: User, document: CaseDocument, reason: str) -> CaseDocument:
    """Remove a document put on the case by mistake: its content is deleted, its record (and
    the audit trail's) says who removed it, when and why."""
    case = document.case
    require_actor(actor, case, Actor.CASEWORKER)
    reason = required_text(reason, _("Say why the document is removed."), code="reason")
    document = lock_unstamped(document, "removed", _("The document is already removed."))
    stamp(document, "removed", actor, removal_reason=reason, content=b"")
    audit_case_change(
        actor=actor,
        action="case_document.remove",
        obj=document,
        changes={"filename": document.filename, "sha256": document.sha256},
        reason=reason,
        case=case,
    )
    return document


def document_content(document: CaseDocument) -> bytes:
    """Return the decrypted file (callers have authorised and logged the read)."""
    return decrypt_file(document.content)
