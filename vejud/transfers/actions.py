"""The transfer actions on a case (declared once for the page and the API): request a
transfer and cancel it; good release's date, plan and transfer.

A transfer is requested while the case's caseworkers still move it on themselves (the
statuses the state table leads on from by a caseworker's transition: not while the final
decision is with the national contact point, nor once the case has ended), one at a time;
the pending request can be cancelled whatever the case's status. The release date can be
recorded in every status (the service refuses a case that is not on the custody track).
The release plan is worked on while the exit course runs (the state table's ADMITTED →
CLOSED), once the daily job has made it, and its transfer is requested from it then,
unless a transfer is pending.

Answering a transfer stays with the receiving unit (``views.incoming`` and the API's
``/transfers/{transfer_id}/accept|decline``): they cannot open the case until they accept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vejud.access.cases import CaseAccess
from vejud.accounts.models import User
from vejud.actions.declare import CaseAction, Target, any_status, declare, moving, of_the_case
from vejud.cases.models import Case, CaseStatus
from vejud.cases.states import Actor
from vejud.organisations.models import Unit
from vejud.transfers.forms import (
    ReleaseDateForm,
    ReleasePlanForm,
    ReleaseTransferForm,
    TransferCancelForm,
    TransferRequestForm,
)
from vejud.transfers.models import ReleasePlan, Transfer, TransferStatus
from vejud.transfers.selectors import case_transfers, release_plan
from vejud.transfers.services import (
    release_date_set,
    release_plan_update,
    release_transfer_request,
    transfer_cancel,
    transfer_request,
)

# While the case's caseworkers move it on themselves, it can be handed to another unit.
OPEN_FOR_TRANSFER = moving(lambda t: t.actor == Actor.CASEWORKER)
# The exit course runs while the case can still be closed (the release plan's time).
COURSE_RUNNING = moving(lambda t: (t.source, t.target) == (CaseStatus.ADMITTED, CaseStatus.CLOSED))


def _pending_transfer(case: Case) -> Transfer | None:
    """Return the transfer of ``case`` awaiting the receiver (there is at most one)."""
    return (
        Transfer.objects.filter(case=case, status=TransferStatus.PENDING)
        .select_related("to_unit")
        .first()
    )


def _none_pending(case: Case, target: Any) -> bool:
    return all(t.status != TransferStatus.PENDING for t in case_transfers(case))


def _pending(case: Case, transfer: Transfer | None) -> bool:
    """The transfer awaits the receiver (without one: the case has a transfer that does)."""
    if transfer is not None:
        return transfer.status == TransferStatus.PENDING
    return not _none_pending(case, None)


def _has_plan(case: Case, target: Any) -> bool:
    return release_plan(case) is not None


def _plan_ready(case: Case, target: Any) -> bool:
    """The release plan is made and no transfer is pending (one at a time)."""
    return _has_plan(case, target) and _none_pending(case, target)


def _plan(case: Case) -> ReleasePlan:
    """Return the case's release plan (its actions are possible only once it is made)."""
    plan = ReleasePlan.objects.select_related("receiving_unit").get(case=case)
    plan.case = case
    return plan


def plan_update(
    *,
    actor: User,
    case: Case,
    checklist: dict[str, bool],
    receiving_unit: Unit | None = None,
    note: str | None = None,
) -> ReleasePlan:
    """Update the case's release plan (a note not given stays as it is)."""
    plan = _plan(case)
    note = plan.note if note is None else note
    return release_plan_update(
        actor=actor, plan=plan, checklist=checklist, receiving_unit=receiving_unit, note=note
    )


def plan_transfer(*, actor: User, case: Case, handover_note: str) -> Transfer:
    """Request the transfer the case's release plan prepares."""
    return release_transfer_request(actor=actor, plan=_plan(case), handover_note=handover_note)


# The pages -------------------------------------------------------------------------------


def _to_section(section: str, text: Callable[[Any], str]) -> Callable[[Any, CaseAccess, Any], Any]:
    """After a success: say ``text(result)`` and go back to the case page at ``section``."""

    def after(request: Any, access: CaseAccess, result: Any) -> HttpResponse:
        messages.success(request, text(result))
        return redirect(f"{access.case.get_absolute_url()}#{section}")

    return after


def _requested(transfer: Transfer) -> str:
    return gettext("The transfer is requested. You stay responsible until %(unit)s accepts.") % {
        "unit": transfer.to_unit.name
    }


def _release_requested(transfer: Transfer) -> str:
    return gettext(
        "The transfer to %(unit)s is requested. You stay responsible until it accepts."
    ) % {"unit": transfer.to_unit.name}


def _said(text: str | Promise) -> Callable[[Any], str]:
    return lambda result: str(text)


def _plan_saved(request: Any, access: CaseAccess, result: Any) -> HttpResponse:
    messages.success(request, gettext("The release plan is saved."))
    return redirect("transfers:release_plan", reference=access.case.reference)


def _plan_initial(plan: ReleasePlan) -> dict[str, Any]:
    initial: dict[str, Any] = {name: getattr(plan, name) for name in ReleasePlan.CHECKLIST}
    return {**initial, "receiving_unit": plan.receiving_unit, "note": plan.note}


def _plan_page(access: CaseAccess, user: User, target: Any) -> Mapping[str, Any]:
    """The release plan page around the action's form: the plan, what is missing, and the
    transfer to the receiving unit (pending, or the form to request it)."""
    plan = _plan(access.case)
    pending = _pending_transfer(access.case)
    return {
        "plan": plan,
        "missing": [
            getattr(ReleasePlan._meta.get_field(name), "verbose_name", name)
            for name in plan.missing()
        ],
        "pending": pending,
        "transfer_form": ReleaseTransferForm(),
        "can_request": pending is None and plan.receiving_unit is not None,
    }


def _transfer_page(access: CaseAccess, user: User, target: Any) -> Mapping[str, Any]:
    """The release plan page with the transfer form's errors (the plan form as saved)."""
    page = _plan_page(access, user, target)
    return {**page, "plan_form": ReleasePlanForm(initial=_plan_initial(page["plan"]))}


TRANSFER_REQUEST = CaseAction(
    name="transfer_request",
    namespace="transfers",
    url_name="new",
    slug="overdragelser/ny/",
    title=_("Request a transfer"),
    form=TransferRequestForm,
    form_kwargs=lambda case, target: {},
    service=transfer_request,
    when=OPEN_FOR_TRANSFER,
    condition=_none_pending,
    success=_("The transfer is requested. You stay responsible until %(unit)s accepts."),
    template="transfers/transfer_form.html",
    after=_to_section("transfers", _requested),
    log_as="transfer_form",
)
TRANSFER_CANCEL = CaseAction(
    name="transfer_cancel",
    namespace="transfers",
    url_name="cancel",
    slug="overdragelser/<int:transfer_id>/annuller/",
    title=_("Cancel the transfer request"),
    form=TransferCancelForm,
    form_kwargs=lambda case, target: {},
    service=transfer_cancel,
    when=any_status(Actor.CASEWORKER),
    condition=_pending,
    target=Target("transfer_id", of_the_case(Transfer), "transfer"),
    template="transfers/transfer_cancel.html",  # GET asks first, its POST button cancels
    context=lambda access, user, transfer: {"transfer": transfer},
    success=_("The transfer request is cancelled."),
    after=_to_section("transfers", _said(_("The transfer request is cancelled."))),
)
RELEASE_DATE_SET = CaseAction(
    name="release_date_set",
    namespace="transfers",
    url_name="release_date",
    slug="loesladelse/dato/",
    title=_("Save the release date"),
    form=ReleaseDateForm,
    form_kwargs=lambda case, target: {"initial": {"release_on": case.release_on}},
    service=release_date_set,
    when=any_status(Actor.CASEWORKER),
    methods=("POST",),
    success=_("The release date is saved."),
    after=_to_section("release", _said(_("The release date is saved."))),
)
RELEASE_PLAN_UPDATE = CaseAction(
    name="release_plan_update",
    namespace="transfers",
    url_name="release_plan",
    slug="loesladelse/",
    title=_("Release plan"),
    form=ReleasePlanForm,
    form_kwargs=lambda case, target: {"initial": _plan_initial(_plan(case))},
    data_of=lambda form: form.service_kwargs(),
    service=plan_update,
    when=COURSE_RUNNING,
    condition=_has_plan,
    success=_("The release plan is saved."),
    template="transfers/release_plan.html",
    context=_plan_page,
    after=_plan_saved,
    log_as="release_plan",
)
RELEASE_TRANSFER = CaseAction(
    name="release_transfer",
    namespace="transfers",
    url_name="release_transfer",
    slug="loesladelse/overdragelse/",
    title=_("Request the transfer to the receiving unit"),
    form=ReleaseTransferForm,
    form_kwargs=lambda case, target: {},
    service=plan_transfer,
    when=COURSE_RUNNING,
    condition=_plan_ready,
    methods=("POST",),
    success=_("The transfer to %(unit)s is requested. You stay responsible until it accepts."),
    template="transfers/release_transfer.html",
    context=_transfer_page,
    after=_to_section("transfers", _release_requested),
)

ACTIONS = declare(
    TRANSFER_REQUEST, TRANSFER_CANCEL, RELEASE_DATE_SET, RELEASE_PLAN_UPDATE, RELEASE_TRANSFER
)
