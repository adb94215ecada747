"""Transfer pages: request and cancel (sender), incoming transfers (receiver), good release.

The receiver is outside the case's scope until accepting, so they answer on their own
page, which shows only the reference, the units and the sender's hand-over note.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from vejud.access.cases import CaseAccess, log_case_access
from vejud.access.casework import may_act
from vejud.access.gate import AuthenticatedRequest, case_view, requires
from vejud.access.rules import Capability, Part
from vejud.access.transfers import awaiting_answer, transfer_for_receiver
from vejud.audit.services import log_access_many
from vejud.cases.models import Case, CaseStatus
from vejud.cases.states import Actor
from vejud.intake.selectors import ConsentMissingError
from vejud.transfers.forms import (
    ReleaseDateForm,
    ReleasePlanForm,
    ReleaseTransferForm,
    TransferAnswerForm,
    TransferRequestForm,
)
from vejud.transfers.models import ReleasePlan, Transfer, TransferStatus
from vejud.transfers.services import (
    OPEN_FOR_TRANSFER,
    release_date_set,
    release_plan_update,
    release_transfer_request,
    transfer_accept,
    transfer_cancel,
    transfer_decline,
    transfer_request,
)


def _consent_message(exc: ConsentMissingError) -> str:
    return " ".join(
        [*exc.messages, _("Record a consent that covers the receiving agency, then try again.")]
    )


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# The sender ---------------------------------------------------------------------


@case_view(part=Part.JOURNAL)
@never_cache
@require_http_methods(["GET", "POST"])
def transfer_new(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """Ask another unit, track or the national contact point to take the case over."""
    case = access.case
    if not _may_request(request, case):
        messages.error(request, _("A transfer cannot be requested on the case right now."))
        return redirect(f"{case.get_absolute_url()}#transfers")
    form = TransferRequestForm(request.POST or None)
    if request.method == "GET":
        log_case_access(user=request.user, access=access, part="transfer_form", request=request)
    elif form.is_valid():
        done = _request_transfer(request, case, form)
        if done is not None:
            return done
    return render(request, "transfers/transfer_form.html", {"case": case, "form": form})


def _may_request(request: AuthenticatedRequest, case: Case) -> bool:
    pending = Transfer.objects.filter(case=case, status=TransferStatus.PENDING).exists()
    return (
        case.status in OPEN_FOR_TRANSFER
        and not pending
        and may_act(request.user, case, Actor.CASEWORKER)
    )


def _request_transfer(
    request: AuthenticatedRequest, case: Case, form: TransferRequestForm
) -> HttpResponse | None:
    """Request the transfer of a valid form: the redirect, or None with errors on the form."""
    data = form.cleaned_data
    try:
        transfer = transfer_request(
            actor=request.user,
            case=case,
            to_unit=data["to_unit"],
            to_track=data["to_track"],
            to_institution=data["to_institution"],
            handover_note=data["handover_note"],
        )
    except ConsentMissingError as exc:
        form.add_error(None, _consent_message(exc))
        return None
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    messages.success(
        request,
        _("The transfer is requested. You stay responsible until %(unit)s accepts.")
        % {"unit": transfer.to_unit.name},
    )
    return redirect(f"{case.get_absolute_url()}#transfers")


@case_view(part=Part.JOURNAL)
@never_cache
@require_POST
def transfer_cancel_view(
    request: AuthenticatedRequest, access: CaseAccess, transfer_id: int
) -> HttpResponse:
    """Withdraw a transfer request that still awaits the receiver."""
    transfer = get_object_or_404(Transfer, pk=transfer_id, case=access.case)
    try:
        transfer_cancel(actor=request.user, transfer=transfer)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("The transfer request is cancelled."))
    return redirect(f"{access.case.get_absolute_url()}#transfers")


# The receiver -------------------------------------------------------------------


def _answer(request: AuthenticatedRequest, form: TransferAnswerForm) -> HttpResponse | None:
    """Carry out a valid answer; return the redirect, or None to show the form's errors."""
    transfer = transfer_for_receiver(request.user, form.cleaned_data["transfer"])
    note = form.cleaned_data["note"]
    try:
        if form.cleaned_data["decision"] == "accept":
            transfer_accept(actor=request.user, transfer=transfer, note=note)
        else:
            transfer_decline(actor=request.user, transfer=transfer, note=note)
    except ConsentMissingError as exc:
        messages.error(request, _consent_message(exc))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        reference = transfer.case.reference
        if form.cleaned_data["decision"] == "accept":
            messages.success(request, _("You have taken over case %(ref)s.") % {"ref": reference})
            return redirect(transfer.case)
        messages.success(
            request,
            _("The transfer of %(ref)s is declined; the sender stays responsible.")
            % {"ref": reference},
        )
    return redirect("transfers:incoming")


@requires(Capability.VIEW_CASES)
@never_cache
@require_http_methods(["GET", "POST"])
def incoming(request: AuthenticatedRequest) -> HttpResponse:
    """List the transfers awaiting the user's unit, with accept and decline."""
    form = TransferAnswerForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            return _answer(request, form) or redirect("transfers:incoming")
        if "transfer" in form.errors or "decision" in form.errors:
            messages.error(request, _("The answer was incomplete. Try again."))
            return redirect("transfers:incoming")
    transfers = _awaiting(request)
    failed = form.cleaned_data.get("transfer") if form.is_bound else None
    items: list[dict[str, Any]] = [
        {
            "transfer": t,
            "errors": form.errors.get("note", []) if t.pk == failed else [],
            "note": form.data.get("note", "") if t.pk == failed else "",
        }
        for t in transfers
    ]
    return render(request, "transfers/incoming.html", {"items": items})


def _awaiting(request: AuthenticatedRequest) -> list[Transfer]:
    """Return the transfers awaiting the user's answer; each hand-over note shown is logged
    (it is about the person)."""
    transfers = list(
        awaiting_answer(request.user)
        .select_related(
            "case", "from_unit", "from_institution", "to_unit", "to_institution", "requested_by"
        )
        .order_by("requested_at", "id")
    )
    if transfers:
        log_access_many(
            user=request.user,
            part="transfer_handover",
            entries=[(t.case.person_id, t.case_id, False) for t in transfers],
            request=request,
        )
    return transfers


# Good release -------------------------------------------------------------------


def _release_section(access: CaseAccess) -> str:
    return f"{access.case.get_absolute_url()}#release"


@case_view(part=Part.JOURNAL)
@never_cache
@require_POST
def release_date(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """Record or clear the expected release date of a custody case."""
    form = ReleaseDateForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors["release_on"]))
        return redirect(_release_section(access))
    try:
        release_date_set(
            actor=request.user, case=access.case, release_on=form.cleaned_data["release_on"]
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("The release date is saved."))
    return redirect(_release_section(access))


def _plan_for(access: CaseAccess) -> ReleasePlan | None:
    return (
        ReleasePlan.objects.filter(case=access.case)
        .select_related("receiving_unit", "transfer__to_unit")
        .first()
    )


@case_view(part=Part.JOURNAL)
@never_cache
@require_http_methods(["GET", "POST"])
def release_plan(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """Tick off the good-release checklist, name the receiving unit and request the transfer."""
    case = access.case
    plan = _plan_for(access)
    if (
        plan is None
        or case.status != CaseStatus.ADMITTED
        or not may_act(request.user, case, Actor.CASEWORKER)
    ):
        messages.error(request, _("There is no release plan to work on."))
        return redirect(_release_section(access))
    form = ReleasePlanForm(request.POST or None, initial=_plan_initial(plan))
    if request.method == "GET":
        log_case_access(user=request.user, access=access, part="release_plan", request=request)
    elif form.is_valid() and _plan_saved(request, plan, form):
        messages.success(request, _("The release plan is saved."))
        return redirect("transfers:release_plan", reference=case.reference)
    return render(request, "transfers/release_plan.html", _plan_context(access, plan, form))


def _plan_saved(request: AuthenticatedRequest, plan: ReleasePlan, form: ReleasePlanForm) -> bool:
    """Save a valid plan form; False with the service's errors on the form."""
    try:
        release_plan_update(
            actor=request.user,
            plan=plan,
            checklist=form.checklist(),
            receiving_unit=form.cleaned_data["receiving_unit"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    return True


def _plan_initial(plan: ReleasePlan) -> dict[str, Any]:
    initial: dict[str, Any] = {name: getattr(plan, name) for name in ReleasePlan.CHECKLIST}
    return {**initial, "receiving_unit": plan.receiving_unit, "note": plan.note}


def _plan_context(
    access: CaseAccess,
    plan: ReleasePlan,
    form: ReleasePlanForm,
    transfer_form: ReleaseTransferForm | None = None,
) -> dict[str, Any]:
    pending = (
        Transfer.objects.filter(case=access.case, status=TransferStatus.PENDING)
        .select_related("to_unit")
        .first()
    )
    return {
        "case": access.case,
        "plan": plan,
        "form": form,
        "missing": [
            getattr(ReleasePlan._meta.get_field(name), "verbose_name", name)
            for name in plan.missing()
        ],
        "pending": pending,
        "transfer_form": transfer_form or ReleaseTransferForm(),
        "can_request": pending is None and plan.receiving_unit is not None,
    }


@case_view(part=Part.JOURNAL)
@never_cache
@require_POST
def release_transfer(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """Request the prepared transfer to the receiving local unit."""
    case = access.case
    plan = _plan_for(access)
    if plan is None or case.status != CaseStatus.ADMITTED:
        messages.error(request, _("There is no release plan to work on."))
        return redirect(_release_section(access))
    form = ReleaseTransferForm(request.POST)
    if form.is_valid():
        try:
            transfer = release_transfer_request(
                actor=request.user, plan=plan, handover_note=form.cleaned_data["handover_note"]
            )
        except ConsentMissingError as exc:
            form.add_error(None, _consent_message(exc))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("The transfer to %(unit)s is requested. You stay responsible until it accepts.")
                % {"unit": transfer.to_unit.name},
            )
            return redirect(f"{case.get_absolute_url()}#transfers")
    plan_form = ReleasePlanForm(initial=_plan_initial(plan))
    return render(
        request,
        "transfers/release_plan.html",
        _plan_context(access, plan, plan_form, transfer_form=form),
    )
