"""The decision letters (the decision actions are pages of ``vejud.actions``: see actions.py)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_http_methods

from vejud.access.cases import CaseAccess, log_case_access
from vejud.access.gate import AuthenticatedRequest, case_view
from vejud.access.rules import Part
from vejud.core.documents import pdf_download
from vejud.decisions.letters import letter_filename, letter_pdf
from vejud.decisions.models import Decision


@case_view(part=Part.JOURNAL)
@require_http_methods(["GET"])
def letter(request: AuthenticatedRequest, access: CaseAccess, decision_id: int) -> HttpResponse:
    """Download a decision letter as PDF (the download is logged)."""
    case = access.case
    decision = get_object_or_404(
        Decision.objects.select_related("case__person", "case__responsible_unit"),
        pk=decision_id,
        case=case,
    )
    log_case_access(user=request.user, access=access, part="decision_letter", request=request)
    return pdf_download(letter_pdf(decision), letter_filename(decision))
