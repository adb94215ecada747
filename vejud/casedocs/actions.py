"""The case documents' actions (declared once for the page and the API): the case's
caseworkers add a document in every status (a closing letter comes after the closing) and
remove one put on the case by mistake."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from vejud.actions.declare import CaseAction, Target, any_status, declare, of_the_case
from vejud.casedocs.forms import DocumentForm, DocumentRemoveForm
from vejud.casedocs.models import CaseDocument
from vejud.casedocs.services import document_add, document_remove
from vejud.cases.states import Actor

DOCUMENT_ADD = CaseAction(
    name="document_add",
    namespace="casedocs",
    url_name="document_add",
    slug="dokumenter/ny/",
    title=_("Add a document"),
    form=DocumentForm,
    form_kwargs=lambda case, target: {"prefix": "document"},
    data_of=lambda form: form.service_kwargs(),
    service=document_add,
    when=any_status(Actor.CASEWORKER),
    success=_("The document is kept on the case."),
    multipart=True,
    log_as="documents_form",
)
DOCUMENT_REMOVE = CaseAction(
    name="document_remove",
    namespace="casedocs",
    url_name="document_remove",
    slug="dokumenter/<int:document_id>/fjern/",
    title=_("Remove the document"),
    form=DocumentRemoveForm,
    form_kwargs=lambda case, document: {"prefix": "remove"},
    service=document_remove,
    target=Target("document_id", of_the_case(CaseDocument, removed_at__isnull=True), "document"),
    when=any_status(Actor.CASEWORKER),
    success=_("The document is removed; its record and the reason are kept."),
    context=lambda access, user, document: {
        "intro": _("“%(title)s” (%(file)s) is removed from the case.")
        % {"title": document.title, "file": document.filename}
    },
)

ACTIONS = declare(DOCUMENT_ADD, DOCUMENT_REMOVE)
