"""Exports: ask for one (from the dashboard), follow its progress, download it."""

from __future__ import annotations

from typing import cast

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vejud.access.exports import export_kinds, exports_visible, get_export_for
from vejud.access.gate import AuthenticatedRequest, requires
from vejud.access.rules import Capability
from vejud.core.attempt import submitted
from vejud.core.errors import conflict_shown
from vejud.exports.forms import ExportForm
from vejud.exports.models import ExportStatus
from vejud.exports.services import export_download, export_request
from vejud.exports.storage import file_response

LISTED = 30


@requires(Capability.VIEW_DASHBOARD)
@never_cache
@require_GET
def export_list(request: AuthenticatedRequest) -> HttpResponse:
    """The user's own exports, newest first, with their status and expiry."""
    exports = exports_visible(request.user).order_by("-id")[:LISTED]
    return render(request, "exports/list.html", {"exports": exports, "listed": LISTED})


@requires(Capability.VIEW_DASHBOARD)
@never_cache
@require_POST
def export_new(request: AuthenticatedRequest) -> HttpResponse:
    """Ask for an export of the dashboard's selection; then follow it on its own page."""
    form = ExportForm(request.POST, kinds=export_kinds(request.user))
    done = submitted(
        request,
        form,
        lambda: export_request(
            actor=request.user,
            kind=form.cleaned_data["kind"],
            fmt=form.cleaned_data["format"],
            selection=form.selection(),
        ),
        _("The export is being made. You can leave this page."),
        lambda export: reverse("exports:detail", kwargs={"pk": export.pk}),
        {"too_many_rows": ("all_periods",)},
    )
    if done is not None:
        return done
    # 400 for a form in error; the conflict middleware makes a shown ConflictError a 409.
    status = 200 if conflict_shown.get() else 400
    return render(request, "exports/request_page.html", {"export_form": form}, status=status)


@requires(Capability.VIEW_DASHBOARD)
@never_cache
@require_GET
def export_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One export's progress (htmx asks for the progress part each second until it ends)."""
    export = get_export_for(request.user, pk)
    if request.headers.get("HX-Request"):
        return render(request, "exports/detail.html#progress", {"export": export})
    return render(request, "exports/detail.html", {"export": export})


@requires(Capability.VIEW_DASHBOARD)
@never_cache
@require_http_methods(["GET"])
def export_file(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The finished file, streamed chunk by chunk (audited; never cached, never sniffed)."""
    export = get_export_for(request.user, pk)
    if export.status == ExportStatus.EXPIRED:
        return render(request, "exports/detail.html", {"export": export}, status=410)
    export_download(actor=request.user, export=export)
    response = file_response(export)
    return cast(HttpResponse, response)  # the gate's type; Django serves either
