"""The subject-access export as files: JSON (machine-readable) and a tagged PDF."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from vejud.core.documents import document_pdf
from vejud.privacy.collect import Report, report_json, subject_access_report
from vejud.privacy.models import SubjectAccessExport


def _report(export: SubjectAccessExport) -> Report:
    withheld = {entry["item"]: entry["reason"] for entry in export.withheld}
    return subject_access_report(export.person, withheld)


def _produced(export: SubjectAccessExport) -> dict[str, Any]:
    return {
        "export": export.pk,
        "at": export.created_at,
        "by": export.requested_by.full_name,
        "downloaded_at": timezone.now(),
    }


def export_json(export: SubjectAccessExport) -> bytes:
    """Return the export as UTF-8 JSON."""
    data = report_json(_report(export), produced=_produced(export))
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def export_pdf(export: SubjectAccessExport) -> bytes:
    """Return the export as a PDF in Danish (it is handed to the person)."""

    def context(subject: SubjectAccessExport) -> dict[str, Any]:
        return {"report": _report(subject), "produced": _produced(subject)}

    return document_pdf("privacy/subject_access_pdf.html", context, export)


def export_filename(export: SubjectAccessExport, fmt: str) -> str:
    """Return the download's file name (no name or reference of the person in it)."""
    return f"indsigt-{export.pk}-{export.created_at:%Y%m%d}.{fmt}"
