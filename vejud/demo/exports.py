"""The demo's exports: the national head's dashboard tables (CSV) and the Copenhagen
coordinator's anonymised case rows (XLSX), asked for and built as the worker would."""

from __future__ import annotations

from vejud.accounts.models import User
from vejud.exports.models import Export
from vejud.exports.services import export_build, export_request
from vejud.statistics.dashboard import default_period


def seed_exports(staff: dict[str, User]) -> list[str]:
    """Make two finished exports, once."""
    if Export.objects.exists():
        return []
    selection = {"period": default_period().value, "unit": "", "track": "", "all_periods": True}
    notes = []
    for who, kind, fmt in (
        ("head", "dashboard", "csv"),
        ("coordinator.koebenhavn", "case_rows", "xlsx"),
    ):
        export = export_request(actor=staff[who], kind=kind, fmt=fmt, selection=selection)
        export_build(export_id=export.pk)
        export.refresh_from_db()
        notes.append(f"Export: {who}'s {kind} ({fmt}), {export.rows_done} rows (/eksport/)")
    return notes
