"""Cases: a cursor-paginated list and a detail, both through the need-to-know gate."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from vejud.access.cases import CaseAccess, cases_visible_to, get_case_for
from vejud.access.rules import Capability, Part, require
from vejud.api.auth import api_policy, api_user
from vejud.api.gates import log_case_read
from vejud.api.operations import READ_ERRORS
from vejud.api.pagination import cursor_decode, cursor_encode
from vejud.api.schemas import (
    CaseDetail,
    CaseFilters,
    CasePage,
    ErrorOut,
    ReferencePath,
    gang_out,
    unit_out,
)
from vejud.cases.models import Case, JournalEntry

router = Router(tags=["cases"])

JOURNAL_LIMIT = 100


def _summary(case: Case) -> dict[str, Any]:
    return {
        "reference": case.reference,
        "status": case.status,
        "track": case.track,
        "unit": unit_out(case.responsible_unit),
        "institution": unit_out(case.institution),
        "opened_on": case.opened_on,
        "closed_on": case.closed_on,
    }


@router.get(
    "/cases",
    response={200: CasePage, 400: ErrorOut, **READ_ERRORS},
    operation_id="cases_list",
    summary="List the cases you may see",
    openapi_extra=api_policy("capability", capability=Capability.VIEW_CASES),
)
def cases_list(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    """Return one page of the caller's visible cases, newest first."""
    require(api_user(request), Capability.VIEW_CASES)
    qs = cases_visible_to(api_user(request)).select_related("responsible_unit", "institution")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.track:
        qs = qs.filter(track=filters.track)
    if filters.unit:
        qs = qs.filter(responsible_unit__code=filters.unit)
    if filters.q:
        qs = qs.filter(reference__startswith=filters.q.upper())
    if filters.cursor:
        qs = qs.filter(id__lt=cursor_decode(filters.cursor))
    rows = list(qs.order_by("-id")[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    return {
        "items": [_summary(case) for case in rows],
        "next_cursor": cursor_encode(rows[-1].pk) if more else None,
    }


def _detail(access: CaseAccess) -> dict[str, Any]:
    case = access.case
    person = case.person
    data = _summary(case)
    data["parts"] = sorted(part.value for part in access.parts if part != Part.PROTECTED_ADDRESS)
    data["person"] = None
    data["gang"] = None
    data["threats"] = None
    data["journal"] = None
    data["journal_more"] = False
    if access.can_see(Part.IDENTITY):
        data["person"] = {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "birth_date": person.birth_date,
        }
    if access.can_see(Part.GANG):
        data["gang"] = gang_out(person)
    if access.can_see(Part.THREATS):
        data["threats"] = person.threat_notes
    if access.can_see(Part.JOURNAL):
        entries = list(
            JournalEntry.objects.filter(case=case)
            .select_related("author")
            .order_by("-created_at", "-id")[: JOURNAL_LIMIT + 1]
        )
        data["journal_more"] = len(entries) > JOURNAL_LIMIT
        data["journal"] = [
            {
                "id": entry.pk,
                "created_at": entry.created_at,
                "author": entry.author.full_name,
                "text": entry.text,
                "corrects": entry.corrects_id,
            }
            for entry in entries[:JOURNAL_LIMIT]
        ]
    return data


# The parts this endpoint discloses, each logged when shown.
DISCLOSED_PARTS = (Part.SUMMARY, Part.IDENTITY, Part.GANG, Part.THREATS, Part.JOURNAL)


@router.get(
    "/cases/{reference}",
    response={200: CaseDetail, **READ_ERRORS},
    operation_id="cases_detail",
    summary="Show one case",
    openapi_extra=api_policy("case", capability=Capability.VIEW_CASES, part=Part.SUMMARY),
)
def cases_detail(request: HttpRequest, reference: str = ReferencePath) -> dict[str, Any]:
    """Return a case with the parts the caller may see; log each part shown."""
    user = api_user(request)
    require(user, Capability.VIEW_CASES)
    access = get_case_for(user, reference, part=Part.SUMMARY)
    data = _detail(access)
    for part in DISCLOSED_PARTS:
        if access.can_see(part):
            log_case_read(request, access, part.value)
    return data
