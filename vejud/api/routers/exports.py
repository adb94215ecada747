"""Exports through the API: ask for one, follow its progress, download it.

The same rule (``vejud.access.exports``), services and worker as the pages: the dashboard's
tables for everyone who sees the dashboard, anonymised case rows only for those who see the
cases; an export is its requester's alone (anyone else gets the 404 of one that does not
exist); downloads are audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Path, Router, Schema, Status
from pydantic import ConfigDict, Field

from vejud.access.exports import exports_visible, get_export_for
from vejud.access.rules import Capability
from vejud.api.auth import api_user
from vejud.api.gates import CapabilityGate
from vejud.api.operations import READ_ERRORS, WRITE_ERRORS
from vejud.api.schemas import ID_MAX, file_answer
from vejud.core.errors import ConflictError
from vejud.exports.models import Export, ExportFormat, ExportKind, ExportStatus
from vejud.exports.services import export_download, export_request
from vejud.exports.storage import CONTENT_TYPES, file_response

router = Router(tags=["exports"])

EXPORTS = CapabilityGate(Capability.VIEW_DASHBOARD)
ExportPath = Path(..., ge=1, le=ID_MAX)
LISTED = 50
EXPORT_FILE = file_answer("The export's file, as an attachment.", CONTENT_TYPES.values())


class ExportOut(Schema):
    id: int
    kind: ExportKind
    format: ExportFormat
    status: ExportStatus
    percent: int
    rows_total: int | None
    rows_done: int
    size: int
    failure: str
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None


class ExportsOut(Schema):
    items: list[ExportOut]


class ExportIn(Schema):
    """The dashboard's selection (``period`` as the dashboard's period choices, e.g. "2026" or
    "2026-q3"; ``unit`` "u<id>" or "d<id>" or empty for all in reach; ``track``), what to
    export and in which format (PDF for the dashboard's tables only)."""

    model_config = ConfigDict(extra="forbid")

    kind: ExportKind
    format: ExportFormat
    period: str = Field(min_length=1, max_length=20)
    unit: str = Field("", max_length=20)
    track: str = Field("", max_length=20)
    all_periods: bool = False


@EXPORTS.route(
    router.get, "/exports", {200: ExportsOut, **READ_ERRORS}, "exports", "List your exports"
)
def exports(request: HttpRequest) -> Any:
    """Your own exports, newest first (at most 50)."""
    return {"items": list(exports_visible(api_user(request)).order_by("-id")[:LISTED])}


@EXPORTS.route(
    router.post,
    "/exports",
    {202: ExportOut, **WRITE_ERRORS},
    "export_request",
    "Ask for an export; the task worker makes it",
)
def export_new(request: HttpRequest, payload: ExportIn) -> Status[Any]:
    """202: follow it at ``GET /exports/{id}``. 403 for a kind you may not export; 409 when
    too many of yours wait; 422 for a selection that is not valid or over the row cap."""
    data = payload.dict()
    export = export_request(
        actor=api_user(request),
        kind=data.pop("kind"),
        fmt=data.pop("format"),
        selection=data,
    )
    return Status(202, Export.objects.get(pk=export.pk))


@EXPORTS.route(
    router.get,
    "/exports/{statistics_export_id}",
    {200: ExportOut, **READ_ERRORS},
    "export",
    "Show an export's status and progress",
)
def export(request: HttpRequest, statistics_export_id: int = ExportPath) -> Any:
    return get_export_for(api_user(request), statistics_export_id)


@EXPORTS.route(
    router.get,
    "/exports/{statistics_export_id}/file",
    {200: None, **READ_ERRORS},
    "export_file",
    "Download a finished export (audited)",
    openapi_extra=EXPORT_FILE,
)
def export_file(request: HttpRequest, statistics_export_id: int = ExportPath) -> HttpResponse:
    """409 while it is being made, after it failed and once it has expired."""
    found = get_export_for(api_user(request), statistics_export_id)
    if found.status == ExportStatus.EXPIRED:
        raise ConflictError("The export has expired.", code="expired")
    export_download(actor=api_user(request), export=found)
    return file_response(found)  # type: ignore[return-value]
