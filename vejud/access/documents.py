"""Who sees which case documents: the case's caseworkers all of them, its mentor only those
marked for the mentor, nobody a removed one's content. Pages, API and the case panel ask here."""

from __future__ import annotations

from django.db.models import QuerySet

from vejud.access.cases import CaseAccess
from vejud.access.rules import Part
from vejud.casedocs.models import CaseDocument


def documents_visible(access: CaseAccess) -> QuerySet[CaseDocument]:
    """Return the documents of the opened case that ``access`` may see (not removed ones)."""
    documents = CaseDocument.objects.filter(case=access.case, removed_at__isnull=True)
    if access.casework:
        return documents
    if access.as_mentor and Part.MENTOR_VIEW in access.parts:
        return documents.filter(for_mentor=True)
    return documents.none()
