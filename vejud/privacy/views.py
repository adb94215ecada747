"""Subject-access export pages: decide what to withhold, produce, download (JSON or PDF).

Wrong role 403 (the gate); a person the user may not export — not theirs, barred by the
person's lists, or not there — 404 alike. Each download is in the access log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vejud.access.gate import AuthenticatedRequest, requires
from vejud.access.people import may_export_person, may_hold_person
from vejud.access.rules import Capability
from vejud.audit.services import log_access
from vejud.core.documents import file_download
from vejud.core.forms import service_error
from vejud.people.models import Person
from vejud.privacy.collect import withholding_candidates
from vejud.privacy.documents import export_filename, export_json, export_pdf
from vejud.privacy.forms import ExportForm, HoldForm, LiftForm
from vejud.privacy.models import RetentionHold, SubjectAccessExport
from vejud.privacy.services import (
    retention_hold_lift,
    retention_hold_set,
    subject_access_export_create,
)

FORMATS = {"json": "application/json", "pdf": "application/pdf"}


def _person(request: AuthenticatedRequest, public_id: UUID, may: Any = may_export_person) -> Person:
    person = Person.objects.filter(public_id=public_id).first()
    if person is None or not may(request.user, person):
        raise Http404
    return person


def _submit(
    request: AuthenticatedRequest,
    person: Person,
    form: forms.Form,
    write: Callable[[dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """Run ``write`` on a valid form; back to the person page with the outcome as a message."""
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except ValidationError as exc:
            service_error(form, exc)
        else:
            messages.success(request, done)
    for errors in form.errors.values():
        messages.error(request, " ".join(str(error) for error in errors))
    return redirect("people:detail", public_id=person.public_id)


@requires(Capability.HOLD_RECORDS)
@never_cache
@require_POST
def hold_set(request: AuthenticatedRequest, public_id: UUID) -> HttpResponse:
    """Stop the person's anonymisation with a kind and a reason."""
    person = _person(request, public_id, may_hold_person)
    return _submit(
        request,
        person,
        HoldForm(request.POST),
        lambda data: retention_hold_set(actor=request.user, person=person, **data),
        _("The hold was set: the person is not anonymised."),
    )


@requires(Capability.HOLD_RECORDS)
@never_cache
@require_POST
def hold_lift(request: AuthenticatedRequest, public_id: UUID, hold_id: int) -> HttpResponse:
    """End a hold; the person's date applies again."""
    person = _person(request, public_id, may_hold_person)
    hold = RetentionHold.objects.filter(pk=hold_id, person=person).first()
    if hold is None:
        raise Http404
    return _submit(
        request,
        person,
        LiftForm(request.POST),
        lambda data: retention_hold_lift(actor=request.user, hold=hold, reason=data["reason"]),
        _("The hold was lifted."),
    )


@requires(Capability.SUBJECT_ACCESS)
@never_cache
@require_http_methods(["GET", "POST"])
def subject_access(request: AuthenticatedRequest, public_id: UUID) -> HttpResponse:
    """The person's exports and the form that produces a new one."""
    person = _person(request, public_id)
    form = ExportForm(request.POST or None, candidates=withholding_candidates(person))
    if request.method == "POST" and form.is_valid():
        try:
            subject_access_export_create(
                actor=request.user, person=person, withheld=form.withheld()
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("The export was produced. Download it below."))
            return redirect("privacy:subject_access", public_id=person.public_id)
    log_access(user=request.user, part="subject_access", person_id=person.pk, request=request)
    exports = SubjectAccessExport.objects.filter(person=person).select_related("requested_by")
    return render(
        request,
        "privacy/subject_access.html",
        {"person": person, "form": form, "exports": exports},
    )


@requires(Capability.SUBJECT_ACCESS)
@never_cache
@require_GET
def subject_access_download(
    request: AuthenticatedRequest, public_id: UUID, export_id: int, fmt: str
) -> HttpResponse:
    """One export as JSON or PDF, built from the records as they are now."""
    person = _person(request, public_id)
    export = SubjectAccessExport.objects.filter(pk=export_id, person=person).first()
    if export is None or fmt not in FORMATS:
        raise Http404
    body = export_json(export) if fmt == "json" else export_pdf(export)
    log_access(
        user=request.user,
        part="subject_access",
        person_id=person.pk,
        request=request,
        reason=f"export {export.pk} ({fmt})",
    )
    return file_download(body, export_filename(export, fmt), content_type=FORMATS[fmt])
