"""Exports: asked for on a page (checked and audited), built by the background worker in
constant memory with its progress written as it goes, downloaded by their requester only
(audited), and deleted when they expire."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial
from typing import IO, Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vejud.access.dashboard import dashboard_reach
from vejud.access.exports import export_cases, may_export
from vejud.accounts.models import User
from vejud.audit.services import audit_record, audited, audited_service
from vejud.cases.models import Case
from vejud.core.documents import html_pdf
from vejud.core.errors import ConflictError
from vejud.exports.models import TRANSITIONS, Export, ExportFormat, ExportKind, ExportStatus
from vejud.exports.rows import Rows, case_rows, dashboard_rows
from vejud.exports.storage import ChunkWriter, chunks_delete
from vejud.exports.writers import write_csv, write_xlsx
from vejud.statistics.dashboard import Dashboard
from vejud.statistics.dashboard import dashboard as build_dashboard
from vejud.statistics.dashboard_charts import dashboard_charts
from vejud.statistics.forms import DashboardForm

logger = logging.getLogger(__name__)

OPEN = (ExportStatus.QUEUED, ExportStatus.RUNNING)
WRITERS = {ExportFormat.CSV: write_csv, ExportFormat.XLSX: write_xlsx}


def _dashboard_form(requester: User, selection: dict[str, Any]) -> DashboardForm:
    reach = dashboard_reach(requester)
    if reach is None:
        raise PermissionDenied(_("You do not see the dashboard."))
    form = DashboardForm(
        {key: selection.get(key, "") for key in ("period", "unit", "track")}, reach=reach
    )
    if not form.is_valid():
        raise ValidationError(
            _("Choose the figures again: the selection is not valid."), code="selection"
        )
    return form


def _board(requester: User, selection: dict[str, Any]) -> Dashboard:
    form = _dashboard_form(requester, selection)
    reach = form.reach
    return build_dashboard(form.chosen_period(), form.scope(), compare_units=reach.all_units)


def _cases(requester: User, selection: dict[str, Any]) -> QuerySet[Case]:
    """The cases of a case-row export: those the requester may see, in the selection."""
    form = _dashboard_form(requester, selection)
    cases = export_cases(requester)
    scope = form.scope()
    if scope.chosen is not None:
        cases = cases.filter(responsible_unit_id__in=scope.chosen)
    if scope.track:
        cases = cases.filter(track=scope.track)
    if not selection.get("all_periods"):
        period = form.chosen_period()
        cases = cases.filter(opened_on__range=(period.start, period.end))
    return cases


@audited_service
def export_request(*, actor: User, kind: str, fmt: str, selection: dict[str, Any]) -> Export:
    """Ask for an export of the dashboard's selection; the worker builds it after commit."""
    if kind not in ExportKind.values or not may_export(actor, kind):
        raise PermissionDenied(_("You may not make this export."))
    if fmt not in ExportFormat.values or (fmt == ExportFormat.PDF and kind != ExportKind.DASHBOARD):
        raise ValidationError(_("PDF is for the dashboard's tables only."), code="format")
    open_now = Export.objects.filter(requested_by=actor, status__in=OPEN).count()
    if open_now >= settings.VEJUD_EXPORTS_OPEN_PER_USER:
        raise ConflictError(
            _("You have %(n)d exports waiting or being made. Wait for one to finish.")
            % {"n": open_now},
            code="busy",
        )
    if kind == ExportKind.CASE_ROWS:
        count = _cases(actor, selection).count()
        if count > settings.VEJUD_EXPORT_MAX_ROWS:
            raise ValidationError(
                _(
                    "The selection holds %(count)s cases; an export holds at most %(cap)s rows. "
                    "Choose a shorter period, fewer units or one track."
                )
                % {"count": f"{count:,}", "cap": f"{settings.VEJUD_EXPORT_MAX_ROWS:,}"},
                code="too_many_rows",
            )
    else:
        _dashboard_form(actor, selection)
    export = Export.objects.create(
        requested_by=actor,
        kind=kind,
        format=fmt,
        parameters={**selection, "language": translation.get_language() or settings.LANGUAGE_CODE},
    )
    audit_record(
        actor=actor,
        action="export.request",
        obj=export,
        changes={"kind": kind, "format": fmt, "selection": selection},
    )
    transaction.on_commit(partial(_enqueue, export.pk))
    return export


def _enqueue(export_id: int) -> None:
    from vejud.exports.tasks import build_export

    build_export.enqueue(export_id)


def _move(export: Export, to: str, **fields: Any) -> bool:
    """Change ``export``'s status as the state table allows, if nobody else did first."""
    if to not in TRANSITIONS[export.status]:
        raise RuntimeError(f"An export cannot go from {export.status} to {to}.")
    won = Export.objects.filter(pk=export.pk, status=export.status).update(status=to, **fields)
    if won:
        export.status = to
        for name, value in fields.items():
            setattr(export, name, value)
    return bool(won)


def _rows(export: Export, requester: User) -> Rows:
    if export.kind == ExportKind.DASHBOARD:
        return dashboard_rows(_board(requester, export.parameters))
    return case_rows(_cases(requester, export.parameters), limit=settings.VEJUD_EXPORT_MAX_ROWS)


def _write(export: Export, requester: User, out: IO[bytes]) -> int:
    """Write the file into ``out``; return the number of rows."""
    if not may_export(requester, export.kind):
        raise PermissionDenied(_("You may no longer make this export."))
    if export.format == ExportFormat.PDF:
        board = _board(requester, export.parameters)
        context = {"board": board, "charts": dashboard_charts(board), "printed_at": timezone.now()}
        out.write(html_pdf(render_to_string("exports/dashboard_pdf.html", context), svg_data=True))
        return 1
    rows = _rows(export, requester)
    Export.objects.filter(pk=export.pk).update(rows_total=rows.total)

    def progress(done: int) -> None:
        Export.objects.filter(pk=export.pk).update(rows_done=done)

    WRITERS[ExportFormat(export.format)](rows, out, progress)
    return rows.total


def export_build(*, export_id: int) -> Export | None:
    """Build export ``export_id`` (the worker's job); None if it was not waiting. Progress is
    written as it goes; the file goes into encrypted chunks; a failure leaves no file."""
    export = Export.objects.select_related("requested_by").filter(pk=export_id).first()
    if export is None or export.status != ExportStatus.QUEUED:
        return None  # built, failed or expired already: a repeated task does nothing
    if not _move(export, ExportStatus.RUNNING, started_at=timezone.now()):
        return None  # another worker took it first
    writer = ChunkWriter(export)
    try:
        with translation.override(export.parameters.get("language") or settings.LANGUAGE_CODE):
            rows = _write(export, export.requested_by, cast(IO[bytes], writer))
        writer.close()
    except (PermissionDenied, ValidationError) as exc:
        return _fail(export, " ".join(getattr(exc, "messages", [str(exc)])))
    except Exception:
        logger.exception("Export %s failed", export.pk)
        return _fail(export, _("The export could not be made. Ask again, or ask for help."))
    now = timezone.now()
    with audited():
        _move(
            export,
            ExportStatus.DONE,
            rows_total=rows,
            rows_done=rows,
            size=writer.size,
            finished_at=now,
            expires_at=now + timedelta(hours=settings.VEJUD_EXPORT_KEEP_HOURS),
        )
        audit_record(
            actor=None,
            action="export.build",
            obj=export,
            changes={"rows": rows, "bytes": writer.size, "requested_by": export.requested_by_id},
        )
    return export


def _fail(export: Export, why: str) -> Export:
    chunks_delete(export)
    now = timezone.now()
    with audited():
        _move(export, ExportStatus.FAILED, failure=why[:300], finished_at=now, expires_at=now)
        audit_record(actor=None, action="export.fail", obj=export, changes={"failure": why})
    return export


@audited_service
def export_download(*, actor: User, export: Export) -> Export:
    """Record that ``actor`` downloads ``export`` (theirs, ready, not expired)."""
    if export.requested_by_id != actor.pk:
        raise PermissionDenied
    if export.status != ExportStatus.DONE or _expired(export, timezone.now()):
        raise ConflictError(_("The export is not ready, or it has expired."), code="not_ready")
    Export.objects.filter(pk=export.pk).update(downloads=F("downloads") + 1)
    audit_record(
        actor=actor, action="export.download", obj=export, changes={"rows": export.rows_done}
    )
    return export


def _expired(export: Export, now: datetime) -> bool:
    return export.expires_at is not None and export.expires_at <= now


def exports_expire(now: datetime | None = None) -> int:
    """Delete the files of exports past their time; return how many. Safe to run any time."""
    now = now or timezone.now()
    count = 0
    due = Export.objects.filter(
        status__in=(ExportStatus.DONE, ExportStatus.FAILED), expires_at__lte=now
    )
    for export in due.iterator():
        with transaction.atomic():
            if not _move(export, ExportStatus.EXPIRED):
                continue  # another run took it first
            chunks_delete(export)
            with audited():
                audit_record(actor=None, action="export.expire", obj=export)
            count += 1
    return count
