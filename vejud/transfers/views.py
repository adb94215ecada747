"""The receiver's page: incoming transfers, with accept and decline.

The receiver is outside the case's scope until accepting, so they answer on their own
page, which shows only the reference, the units and the sender's hand-over note. The
sender's pages (request, cancel) and good release's are the case actions declared in
``vejud.transfers.actions``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from vejud.access.gate import AuthenticatedRequest, requires
from vejud.access.rules import Capability
from vejud.access.transfers import awaiting_answer, transfer_for_receiver
from vejud.audit.services import log_access_many
from vejud.intake.selectors import ConsentMissingError
from vejud.transfers.forms import CONSENT_HINT, TransferAnswerForm
from vejud.transfers.models import Transfer
from vejud.transfers.services import transfer_accept, transfer_decline


def _consent_message(exc: ConsentMissingError) -> str:
    return " ".join([*exc.messages, str(CONSENT_HINT)])


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


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
