"""Transfers and good release through the API: the sender's side on the case, the receiver's
side under /transfers/.

The sender's writes are the case actions declared in ``vejud.transfers.actions`` (the
pages serve the same table): request and cancel a transfer, the release date, the release
plan and its transfer. The sender works on the case (casework: the journal part; a mentor
gets 404). The receiver cannot open the case until accepting, so they list what awaits
their units (reference, units and hand-over note only) and answer a transfer by its id: the
``ReceiverGate`` answers 404 alike for a transfer that does not exist and one addressed to
someone else, before the body is read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from vejud.access.rules import Capability
from vejud.access.transfers import awaiting_answer, transfer_for_receiver
from vejud.accounts.models import User
from vejud.api.auth import api_policy, api_user
from vejud.api.gates import CASEWORK, CapabilityGate, case_access_of, log_case_read
from vejud.api.operations import READ_ERRORS, WRITE_ERRORS, Operation, register
from vejud.api.routers.course import case_state, field_error
from vejud.api.schemas import ErrorOut, IdPath, ReferencePath
from vejud.api.schemas_course import (
    AcceptIn,
    CaseTransfersOut,
    DeclineIn,
    IncomingTransfersOut,
    ReleaseDateIn,
    ReleaseDateOut,
    ReleasePlanIn,
    ReleasePlanOut,
    ReleasePlanStateOut,
    ReleaseTransferIn,
    TransferAnswerOut,
    TransferIn,
    TransferOut,
)
from vejud.audit.services import log_access_many
from vejud.cases.models import Case
from vejud.core.paging import positive_int
from vejud.organisations.models import Unit, UnitKind
from vejud.transfers.actions import (
    RELEASE_DATE_SET,
    RELEASE_PLAN_UPDATE,
    RELEASE_TRANSFER,
    TRANSFER_CANCEL,
    TRANSFER_REQUEST,
)
from vejud.transfers.forms import RECEIVING_KINDS
from vejud.transfers.models import ReleasePlan, Transfer
from vejud.transfers.services import transfer_accept, transfer_decline

router = Router(tags=["transfers"])

BASE = "/cases/{reference}"
TRANSFER_RELATED = (
    "case",
    "from_unit",
    "from_institution",
    "to_unit",
    "to_institution",
    "requested_by",
    "decided_by",
)
_TRANSFER_ATTR = "vejud_transfer"


class ReceiverGate(CapabilityGate):
    """Answer a transfer: VIEW_CASES (403), then the transfer must be one the caller receives
    (404 alike for one that does not exist and one that is not theirs). The transfer is kept
    on the request for the view."""

    def __init__(self) -> None:
        super().__init__(Capability.VIEW_CASES)

    def check(self, request: HttpRequest, user: User) -> None:
        super().check(request, user)
        match = request.resolver_match
        raw = match.kwargs.get("transfer_id") if match is not None else None
        if (pk := positive_int(raw)) is not None:  # else left to the path validation (422)
            setattr(request, _TRANSFER_ATTR, transfer_for_receiver(user, pk))

    @property
    def policy(self) -> dict[str, Any]:
        return api_policy("transfer_receiver", capability=self.capability)


RECEIVER = ReceiverGate()
VIEWS_CASES = CapabilityGate(Capability.VIEW_CASES)


def _transfer(pk: int) -> Transfer:
    return Transfer.objects.select_related(*TRANSFER_RELATED).get(pk=pk)


def _plan(case: Case | int) -> ReleasePlan | None:
    return (
        ReleasePlan.objects.filter(case=case)
        .select_related(
            "receiving_unit", *(f"transfer__{name}" for name in TRANSFER_RELATED if name != "case")
        )
        .first()
    )


def _unit_by_code(code: str, kinds: tuple[str, ...], field: str) -> Unit:
    unit = Unit.objects.filter(code=code, is_active=True, kind__in=kinds).first()
    if unit is None:
        raise field_error(field, _("Unknown unit."))
    return unit


# --- The sender's side, on the case ---------------------------------------------------------


@CASEWORK.route(
    router.get,
    BASE + "/transfers",
    {200: CaseTransfersOut, **READ_ERRORS},
    "case_transfers",
    "Show the case's transfers",
)
def transfers(request: HttpRequest, reference: str = ReferencePath) -> Any:
    """Return every transfer of the case, newest first (the view is logged)."""
    access = case_access_of(request)
    case = access.case
    items = list(
        Transfer.objects.filter(case=case)
        .select_related(*TRANSFER_RELATED)
        .order_by("-requested_at", "-id")
    )
    log_case_read(request, access, "transfers")
    return {
        **_release_date(case),
        "items": items,
        "can_request": TRANSFER_REQUEST.possible(api_user(request), case),
    }


# --- Good release ------------------------------------------------------------------------


@CASEWORK.route(
    router.get,
    BASE + "/release-plan",
    {200: ReleasePlanStateOut, **READ_ERRORS},
    "release_plan",
    "Show the good-release plan",
)
def release_plan(request: HttpRequest, reference: str = ReferencePath) -> Any:
    """Return the release date and the plan, if one is made yet (the view is logged)."""
    access = case_access_of(request)
    case = access.case
    plan = _plan(case)
    log_case_read(request, access, "release_plan")
    return {
        **_release_date(case),
        "plan": plan,
    }


# --- The declared writes (transfers/actions.py) ---------------------------------------------


def _handover(case: Case, target: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The request's units by their codes (422 on the field for an unknown one)."""
    institution = data["to_institution"]
    return {
        **data,
        "to_unit": _unit_by_code(data["to_unit"], RECEIVING_KINDS, "to_unit"),
        "to_institution": (
            _unit_by_code(institution, (UnitKind.INSTITUTION,), "to_institution")
            if institution is not None
            else None
        ),
    }


def _plan_change(case: Case, target: Any, data: dict[str, Any]) -> dict[str, Any]:
    """A PATCH: only the checklist items given change; no unit or note given keeps it."""
    unit = data["receiving_unit"]
    return {
        "checklist": {k: v for k, v in (data["checklist"] or {}).items() if v is not None},
        "receiving_unit": (
            _unit_by_code(unit, (UnitKind.LOCAL,), "receiving_unit") if unit is not None else None
        ),
        "note": data["note"],
    }


def _release_date(case: Case) -> dict[str, Any]:
    """The case's reference, track and release date: the head of its transfers and plan."""
    return {"reference": case.reference, "track": case.track, "release_on": case.release_on}


register(
    router,
    Operation(
        TRANSFER_REQUEST,
        "/transfers",
        TransferIn,
        TransferOut,
        lambda transfer: _transfer(transfer.pk),
        "Ask another unit or track to take the case over",
        "transfer_request",
        prepare=_handover,
        description="Request a transfer; the sender stays responsible until the receiver "
        "accepts. 422 if no consent in force covers the receiving agency; 409 while another "
        "transfer awaits its answer.",
    ),
    Operation(
        TRANSFER_CANCEL,
        "/transfers/{transfer_id}/cancel",
        None,
        TransferOut,
        lambda transfer: _transfer(transfer.pk),
        "Withdraw a transfer request that still awaits the receiver",
        "transfer_cancel",
        status=200,
        description="Cancel a pending transfer of this case. 409 if it no longer awaits an answer.",
    ),
    Operation(
        RELEASE_DATE_SET,
        "/release-date",
        ReleaseDateIn,
        ReleaseDateOut,
        _release_date,
        "Record or remove the expected release date of a custody case",
        "release_date_set",
        status=200,
        method="PUT",
        description="The release date drives good-release planning (a plan N days before).",
    ),
    Operation(
        RELEASE_PLAN_UPDATE,
        "/release-plan",
        ReleasePlanIn,
        ReleasePlanOut,
        lambda plan: _plan(plan.case_id),
        "Tick off the checklist, name the receiving unit",
        "release_plan_update",
        status=200,
        method="PATCH",
        prepare=_plan_change,
        description="Change what is given; the rest stays as it is. 409 if there is no plan yet.",
    ),
    Operation(
        RELEASE_TRANSFER,
        "/release-plan/transfer",
        ReleaseTransferIn,
        TransferOut,
        lambda transfer: _transfer(transfer.pk),
        "Request the prepared transfer to the receiving local unit",
        "release_transfer_request",
        description="Request the transfer the release plan prepares. 409 if there is no plan yet.",
    ),
)


# --- The receiver's side -------------------------------------------------------------------


@VIEWS_CASES.route(
    router.get,
    "/transfers/incoming",
    {200: IncomingTransfersOut, 401: ErrorOut, 403: ErrorOut},
    "transfers_incoming",
    "List the transfers awaiting your units",
)
def incoming(request: HttpRequest) -> Any:
    """Return each pending transfer to your units: reference, units and hand-over note only.
    Each hand-over note shown is logged."""
    user = api_user(request)
    items = list(
        awaiting_answer(user)
        .select_related("case", "from_unit", "to_unit")
        .order_by("requested_at", "id")
    )
    if items:
        log_access_many(
            user=user,
            part="transfer_handover",
            entries=[(t.case.person_id, t.case_id, False) for t in items],
            request=request,
            channel="api",
        )
    return {"items": items}


def _answered(transfer: Transfer, *, accepted: bool) -> dict[str, Any]:
    return {
        "id": transfer.pk,
        "reference": transfer.case.reference,
        "status": transfer.status,
        "decided_at": transfer.decided_at,
        "decision_note": transfer.decision_note,
        "case": case_state(transfer.case_id) if accepted else None,
    }


def _receiving(request: HttpRequest) -> Transfer:
    transfer = getattr(request, _TRANSFER_ATTR, None)
    if not isinstance(transfer, Transfer):
        raise Http404
    return transfer


def _answer(
    request: HttpRequest, answer: Callable[..., Transfer], note: str, *, accepted: bool
) -> dict[str, Any]:
    """Give ``answer`` (accept or decline) as the caller to the transfer the gate opened."""
    transfer = answer(actor=api_user(request), transfer=_receiving(request), note=note)
    return _answered(transfer, accepted=accepted)


@RECEIVER.route(
    router.post,
    "/transfers/{transfer_id}/accept",
    {200: TransferAnswerOut, **WRITE_ERRORS},
    "transfer_accept",
    "Accept a transfer to your unit",
)
def accept(
    request: HttpRequest,
    payload: AcceptIn,
    transfer_id: int = IdPath,
) -> Any:
    """Take the case over: its unit, track and institution change now. 422 if no consent in
    force covers your agency or the transfer no longer awaits an answer."""
    return _answer(request, transfer_accept, payload.note, accepted=True)


@RECEIVER.route(
    router.post,
    "/transfers/{transfer_id}/decline",
    {200: TransferAnswerOut, **WRITE_ERRORS},
    "transfer_decline",
    "Decline a transfer to your unit",
)
def decline(
    request: HttpRequest,
    payload: DeclineIn,
    transfer_id: int = IdPath,
) -> Any:
    """Decline with a reason; the sender stays responsible."""
    return _answer(request, transfer_decline, payload.note, accepted=False)
