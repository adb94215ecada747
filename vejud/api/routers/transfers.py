"""Transfers and good release through the API: the sender's side on the case, the receiver's
side under /transfers/.

Same services as the transfer pages (``vejud.transfers.views``). The sender works on the
case (casework: the journal part; a mentor gets 404). The receiver cannot open the case
until accepting, so they list what awaits their units (reference, units and hand-over note
only) and answer a transfer by its id: the ``ReceiverGate`` answers 404 alike for a transfer
that does not exist and one addressed to someone else, before the body is read.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Path, Router, Status

from vejud.access.casework import may_act
from vejud.access.rules import Capability, Part
from vejud.access.transfers import awaiting_answer, transfer_for_receiver
from vejud.accounts.models import User
from vejud.api.auth import api_policy, api_user
from vejud.api.gates import CapabilityGate, CaseGate, case_access_of
from vejud.api.routers.course import case_state, field_error, log_case_read
from vejud.api.routers.process import READ_ERRORS, WRITE_ERRORS
from vejud.api.schemas import ID_MAX, REFERENCE_PATTERN, ConflictOut, ErrorOut, ValidationErrorOut
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
from vejud.cases.states import Actor
from vejud.organisations.models import Unit, UnitKind
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

router = Router(tags=["transfers"])

CASEWORK = CaseGate(part=Part.JOURNAL)
BASE = "/cases/{reference}"
# The units a case can be handed to (an institution is named with the custody track).
RECEIVING_KINDS = (UnitKind.LOCAL, UnitKind.MUNICIPAL_PROGRAMME, UnitKind.DFK, UnitKind.NATIONAL)
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
        if not (isinstance(raw, str) and raw.isdigit() and len(raw) <= 18):
            return  # left to the path validation (422)
        setattr(request, _TRANSFER_ATTR, transfer_for_receiver(user, int(raw)))

    @property
    def policy(self) -> dict[str, Any]:
        return api_policy("transfer_receiver", capability=self.capability)


RECEIVER = ReceiverGate()
VIEWS_CASES = CapabilityGate(Capability.VIEW_CASES)


def _transfer(pk: int) -> Transfer:
    return Transfer.objects.select_related(*TRANSFER_RELATED).get(pk=pk)


def _plan(case: Case) -> ReleasePlan | None:
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


@router.get(
    BASE + "/transfers",
    auth=CASEWORK.auth,
    openapi_extra=CASEWORK.policy,
    response={200: CaseTransfersOut, **READ_ERRORS},
    operation_id="case_transfers",
    summary="Show the case's transfers",
)
def transfers(request: HttpRequest, reference: str = Path(..., pattern=REFERENCE_PATTERN)) -> Any:
    """Return every transfer of the case, newest first (the view is logged)."""
    access = case_access_of(request)
    case = access.case
    items = list(
        Transfer.objects.filter(case=case)
        .select_related(*TRANSFER_RELATED)
        .order_by("-requested_at", "-id")
    )
    log_case_read(request, access, "transfers")
    pending = any(t.status == TransferStatus.PENDING for t in items)
    return {
        "reference": case.reference,
        "track": case.track,
        "release_on": case.release_on,
        "items": items,
        "can_request": case.status in OPEN_FOR_TRANSFER
        and not pending
        and may_act(api_user(request), case, Actor.CASEWORKER),
    }


@router.post(
    BASE + "/transfers",
    auth=CASEWORK.auth,
    openapi_extra=CASEWORK.policy,
    response={201: TransferOut, **WRITE_ERRORS},
    operation_id="transfer_request",
    summary="Ask another unit or track to take the case over",
)
def transfer_new(
    request: HttpRequest,
    payload: TransferIn,
    reference: str = Path(..., pattern=REFERENCE_PATTERN),
) -> Status[Any]:
    """Request a transfer; the sender stays responsible until the receiver accepts. 422 if
    no consent in force covers the receiving agency."""
    transfer = transfer_request(
        actor=api_user(request),
        case=case_access_of(request).case,
        to_unit=_unit_by_code(payload.to_unit, RECEIVING_KINDS, "to_unit"),
        to_track=payload.to_track.value if payload.to_track else None,
        to_institution=(
            _unit_by_code(payload.to_institution, (UnitKind.INSTITUTION,), "to_institution")
            if payload.to_institution is not None
            else None
        ),
        handover_note=payload.handover_note,
    )
    return Status(201, _transfer(transfer.pk))


@router.post(
    BASE + "/transfers/{transfer_id}/cancel",
    auth=CASEWORK.auth,
    openapi_extra=CASEWORK.policy,
    response={200: TransferOut, **WRITE_ERRORS},
    operation_id="transfer_cancel",
    summary="Withdraw a transfer request that still awaits the receiver",
)
def transfer_withdraw(
    request: HttpRequest,
    reference: str = Path(..., pattern=REFERENCE_PATTERN),
    transfer_id: int = Path(..., ge=1, le=ID_MAX),
) -> Any:
    """Cancel a pending transfer of this case."""
    case = case_access_of(request).case
    transfer = get_object_or_404(Transfer, pk=transfer_id, case=case)
    transfer.case = case
    transfer_cancel(actor=api_user(request), transfer=transfer)
    return _transfer(transfer.pk)


# --- Good release ------------------------------------------------------------------------


@router.put(
    BASE + "/release-date",
    auth=CASEWORK.auth,
    openapi_extra=CASEWORK.policy,
    response={200: ReleaseDateOut, **WRITE_ERRORS},
    operation_id="release_date_set",
    summary="Record or remove the expected release date of a custody case",
)
def release_date(
    request: HttpRequest,
    payload: ReleaseDateIn,
    reference: str = Path(..., pattern=REFERENCE_PATTERN),
) -> Any:
    """The release date drives good-release planning (a plan N days before)."""
    case = release_date_set(
        actor=api_user(request),
        case=case_access_of(request).case,
        release_on=payload.release_on,
    )
    return {"reference": case.reference, "track": case.track, "release_on": case.release_on}


@router.get(
    BASE + "/release-plan",
    auth=CASEWORK.auth,
    openapi_extra=CASEWORK.policy,
    response={200: ReleasePlanStateOut, **READ_ERRORS},
    operation_id="release_plan",
    summary="Show the good-release plan",
)
def release_plan(
    request: HttpRequest, reference: str = Path(..., pattern=REFERENCE_PATTERN)
) -> Any:
    """Return the release date and the plan, if one is made yet (the view is logged)."""
    access = case_access_of(request)
    case = access.case
    plan = _plan(case)
    log_case_read(request, access, "release_plan")
    return {
        "reference": case.reference,
        "track": case.track,
        "release_on": case.release_on,
        "plan": plan,
    }


NO_PLAN_RESPONSES: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ConflictOut,
    422: ValidationErrorOut,
}


@router.patch(
    BASE + "/release-plan",
    auth=CASEWORK.auth,
    openapi_extra=CASEWORK.policy,
    response={200: ReleasePlanOut, **NO_PLAN_RESPONSES},
    operation_id="release_plan_update",
    summary="Tick off the checklist, name the receiving unit",
)
def release_plan_change(
    request: HttpRequest,
    payload: ReleasePlanIn,
    reference: str = Path(..., pattern=REFERENCE_PATTERN),
) -> Any:
    """Change what is given; the rest stays as it is. 409 if there is no plan yet."""
    case = case_access_of(request).case
    plan = _plan(case)
    if plan is None:
        return Status(409, {"detail": _("There is no release plan yet.")})
    plan.case = case
    checklist = payload.checklist.model_dump(exclude_none=True) if payload.checklist else {}
    release_plan_update(
        actor=api_user(request),
        plan=plan,
        checklist=checklist,
        receiving_unit=(
            _unit_by_code(payload.receiving_unit, (UnitKind.LOCAL,), "receiving_unit")
            if payload.receiving_unit is not None
            else None
        ),
        note=plan.note if payload.note is None else payload.note,
    )
    return _plan(case)


@router.post(
    BASE + "/release-plan/transfer",
    auth=CASEWORK.auth,
    openapi_extra=CASEWORK.policy,
    response={201: TransferOut, **NO_PLAN_RESPONSES},
    operation_id="release_transfer_request",
    summary="Request the prepared transfer to the receiving local unit",
)
def release_transfer(
    request: HttpRequest,
    payload: ReleaseTransferIn,
    reference: str = Path(..., pattern=REFERENCE_PATTERN),
) -> Status[Any]:
    """Request the transfer the release plan prepares. 409 if there is no plan yet."""
    case = case_access_of(request).case
    plan = _plan(case)
    if plan is None:
        return Status(409, {"detail": _("There is no release plan yet.")})
    plan.case = case
    transfer = release_transfer_request(
        actor=api_user(request),
        plan=plan,
        handover_note=payload.handover_note,
    )
    return Status(201, _transfer(transfer.pk))


# --- The receiver's side -------------------------------------------------------------------


@router.get(
    "/transfers/incoming",
    auth=VIEWS_CASES.auth,
    openapi_extra=VIEWS_CASES.policy,
    response={200: IncomingTransfersOut, 401: ErrorOut, 403: ErrorOut},
    operation_id="transfers_incoming",
    summary="List the transfers awaiting your units",
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


@router.post(
    "/transfers/{transfer_id}/accept",
    auth=RECEIVER.auth,
    openapi_extra=RECEIVER.policy,
    response={200: TransferAnswerOut, **WRITE_ERRORS},
    operation_id="transfer_accept",
    summary="Accept a transfer to your unit",
)
def accept(
    request: HttpRequest,
    payload: AcceptIn,
    transfer_id: int = Path(..., ge=1, le=ID_MAX),
) -> Any:
    """Take the case over: its unit, track and institution change now. 422 if no consent in
    force covers your agency or the transfer no longer awaits an answer."""
    transfer = transfer_accept(
        actor=api_user(request),
        transfer=_receiving(request),
        note=payload.note,
    )
    return _answered(transfer, accepted=True)


@router.post(
    "/transfers/{transfer_id}/decline",
    auth=RECEIVER.auth,
    openapi_extra=RECEIVER.policy,
    response={200: TransferAnswerOut, **WRITE_ERRORS},
    operation_id="transfer_decline",
    summary="Decline a transfer to your unit",
)
def decline(
    request: HttpRequest,
    payload: DeclineIn,
    transfer_id: int = Path(..., ge=1, le=ID_MAX),
) -> Any:
    """Decline with a reason; the sender stays responsible."""
    transfer = transfer_decline(
        actor=api_user(request),
        transfer=_receiving(request),
        note=payload.note,
    )
    return _answered(transfer, accepted=False)
