from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from vejud.access.cases import CaseAccess, log_case_access
from vejud.access.documents import documents_visible
from vejud.access.gate import AuthenticatedRequest, case_view
from vejud.access.rules import Part
from vejud.casedocs.services import document_content
from vejud.core.uploads import download as file_download

LOG_PART = "document"


@case_view(part=Part.MENTOR_VIEW)
@never_cache
@require_GET
def download(request: AuthenticatedRequest, access: CaseAccess, document_id: int) -> HttpResponse:
    """Download a document the user may see (the download is in the access log); one that is
    not theirs to see is a 404, like one that does not exist."""
    document = get_object_or_404(documents_visible(access), pk=document_id)
    log_case_access(
        user=request.user, request=request, access=access, part=f"{LOG_PART}:{document.pk}"
    )
    return file_download(
        document_content(document), content_type=document.content_type, filename=document.filename
    )
