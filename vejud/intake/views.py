"""Intake pages: register an inquiry, record and withdraw consent."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vejud.access.cases import CaseAccess, case_access, cases_visible_to
from vejud.access.gate import AuthenticatedRequest, case_view, requires
from vejud.access.rules import Capability, Part
from vejud.intake.forms import ConsentForm, ConsentWithdrawForm, InquiryForm
from vejud.intake.models import Consent
from vejud.intake.services import (
    PossibleDuplicateError,
    consent_record,
    consent_withdraw,
    inquiry_register,
)


@requires(Capability.WRITE_JOURNAL)
@require_http_methods(["GET", "POST"])
def inquiry_new(request: AuthenticatedRequest) -> HttpResponse:
    """Register an inquiry; it is routed to the unit of the person's district (or DfK)."""
    form = InquiryForm(request.POST or None)
    duplicates = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = inquiry_register(
                actor=request.user,
                source=data["source"],
                channel=data["channel"],
                received_on=data["received_on"],
                municipality=data["municipality"],
                in_custody=data["in_custody"],
                institution=data["institution"],
                note=data["note"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                birth_date=data["birth_date"],
                cpr=data["cpr"],
                phone=data["phone"],
                confirm_new_person=data["confirm_new_person"],
            )
        except PossibleDuplicateError as exc:
            form.add_error(None, exc.message)
            # Earlier attempts are shown only to those allowed to see them.
            duplicates = list(
                cases_visible_to(request.user)
                .filter(person__in=exc.candidates)
                .select_related("responsible_unit")
                .order_by("-opened_on")
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if case_access(request.user, case) is not None:
                messages.success(
                    request, _("The inquiry is registered as %(ref)s.") % {"ref": case.reference}
                )
                return redirect(case)
            messages.success(
                request,
                _("The inquiry is registered as %(ref)s and routed to %(unit)s.")
                % {"ref": case.reference, "unit": case.responsible_unit.name},
            )
            return redirect("cases:caseload")
    return render(request, "intake/inquiry_form.html", {"form": form, "duplicates": duplicates})


@case_view(part=Part.JOURNAL)
@require_http_methods(["GET", "POST"])
def consent_new(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """Record the person's consent (samtykkeerklæring)."""
    case = access.case
    form = ConsentForm(
        request.POST or None, initial={"agencies": ["police", "municipality", "kriminalforsorgen"]}
    )
    if request.method == "POST" and form.is_valid():
        try:
            consent_record(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The consent is recorded."))
            return redirect(case)
    return render(request, "intake/consent_form.html", {"form": form, "case": case})


@case_view(part=Part.JOURNAL)
@require_http_methods(["GET", "POST"])
def consent_withdraw_view(
    request: AuthenticatedRequest, access: CaseAccess, consent_id: int
) -> HttpResponse:
    """Record that the person withdrew a consent."""
    case = access.case
    consent = get_object_or_404(Consent, pk=consent_id, case=case)
    form = ConsentWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            consent_withdraw(
                actor=request.user,
                consent=consent,
                withdrawn_on=form.cleaned_data["withdrawn_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The withdrawal is recorded."))
            return redirect(case)
    return render(
        request, "intake/consent_withdraw.html", {"form": form, "case": case, "consent": consent}
    )
