"""Advice through the API (issue 15), under /advice/: the unit's requests and the national
queue, a request with its thread (the advisers' internal notes for the advisers only), asking,
messages, the answer, internal notes and closing.

Same services and rules as the pages (``vejud.advice.views``): a request is opened by
``AdviceGate`` (403 without a role that asks or gives advice, 404 alike for a request that does
not exist and one that is not the caller's), before the body is read; an adviser's read of a
request about a case is in the access log marked advice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from vejud.access.advice import (
    advice_access,
    advisers,
    gives_advice,
    log_advice_access,
    request_for,
    unit_request_for,
)
from vejud.access.cases import get_case_for
from vejud.access.rules import Capability
from vejud.accounts.models import User
from vejud.advice import selectors, services
from vejud.advice.models import AdviceRequest
from vejud.api.auth import POLICY_KEY, api_user
from vejud.api.gates import CapabilityGate, ObjectGate, opened_object
from vejud.api.operations import READ_ERRORS, WRITE_ERRORS
from vejud.api.routers.course import field_error
from vejud.api.schemas import ErrorOut, IdPath
from vejud.api.schemas_advice import (
    AdviceAccessIn,
    AdviceAnswerIn,
    AdviceAssignIn,
    AdvicePartsOut,
    AdviceRequestIn,
    AdviceRequestListOut,
    AdviceTextIn,
    AdviceThreadOut,
)
from vejud.cases.models import JournalEntry
from vejud.organisations.models import Unit

router = Router(tags=["advice"])


class AdviceGate(ObjectGate):
    """ASK_ADVICE (or ``alternatives``; 403 without), then the request named by ``advice_id``
    must be one the caller sees (404), as the pages' ``vejud.access.advice`` gates."""

    def __init__(
        self,
        capability: Capability,
        *alternatives: Capability,
        fetch: Callable[[User, int], AdviceRequest] = request_for,
    ) -> None:
        super().__init__(capability, "advice_id", fetch, "advice_request", alternatives)

    @property
    def policy(self) -> dict[str, Any]:
        kind = {"kind": self.kind, "capability": self.capability.value}
        return {POLICY_KEY: {**kind, "alternatives": [c.value for c in self.alternatives]}}


ASKS = CapabilityGate(Capability.ASK_ADVICE)
QUEUE = CapabilityGate(Capability.GIVE_ADVICE)
EITHER_SIDE = AdviceGate(Capability.ASK_ADVICE, Capability.GIVE_ADVICE)
ADVISERS = AdviceGate(Capability.GIVE_ADVICE)
ASKING_UNIT = AdviceGate(Capability.ASK_ADVICE, fetch=unit_request_for)


def _write_op(path: str, gate: AdviceGate, operation_id: str, summary: str) -> Callable[..., Any]:
    """A POST on one request answering with the request and its thread."""
    return gate.route(
        router.post,
        f"/advice/requests/{{advice_id}}/{path}",
        {200: AdviceThreadOut, **WRITE_ERRORS},
        operation_id,
        summary,
    )


def _out(advice: AdviceRequest) -> dict[str, Any]:
    return {
        **{f: getattr(advice, f) for f in ("id", "unit", "topic", "urgency", "status", "question")},
        "case_reference": advice.case.reference if advice.case else None,
        **{
            f: getattr(advice, f)
            for f in ("access_until", "created_at", "first_response_at", "answered_at")
        },
    }


@ASKS.route(
    router.get,
    "/advice/requests",
    {200: AdviceRequestListOut, 401: ErrorOut, 403: ErrorOut},
    "advice_requests",
    "List your unit's advice requests",
)
def requests(request: HttpRequest) -> Any:
    """The caller's own requests; a coordinator's unit's."""
    return {"items": [_out(a) for a in selectors.my_requests(api_user(request))]}


@QUEUE.route(
    router.get,
    "/advice/queue",
    {200: AdviceRequestListOut, 401: ErrorOut, 403: ErrorOut},
    "advice_queue",
    "List the national queue of open advice requests",
)
def queue(request: HttpRequest) -> Any:
    """Open requests, oldest first."""
    return {"items": [_out(a) for a in selectors.queue(api_user(request))]}


def _thread(request: HttpRequest, advice: AdviceRequest) -> dict[str, Any]:
    user = api_user(request)
    out: dict[str, Any] = {**_out(advice), "messages": selectors.thread(advice)}
    if gives_advice(user):
        out["internal_notes"] = selectors.internal_notes(advice)
    return out


@EITHER_SIDE.route(
    router.get,
    "/advice/requests/{advice_id}",
    {200: AdviceThreadOut, **READ_ERRORS},
    "advice_request",
    "Show an advice request and its thread",
)
def request_detail(request: HttpRequest, advice_id: int = IdPath) -> Any:
    """The request and its thread; for the advisers also their internal notes."""
    advice = opened_object(request, AdviceRequest)
    log_advice_access(
        user=api_user(request), request=advice, part="request", http_request=request, channel="api"
    )
    return _thread(request, advice)


def _case_and_entries(user: User, payload: AdviceRequestIn) -> dict[str, Any]:
    if payload.case_reference is None:
        return {}
    case = get_case_for(user, payload.case_reference).case
    entries = list(JournalEntry.objects.filter(case=case, pk__in=payload.journal_entry_ids))
    if len(entries) != len(set(payload.journal_entry_ids)):
        raise field_error("journal_entry_ids", _("Pick journal notes of this case only."))
    return {"case": case, "journal_entries": entries}


@ASKS.route(
    router.post,
    "/advice/requests",
    {201: AdviceThreadOut, **WRITE_ERRORS},
    "advice_request_new",
    "Ask the national contact point",
)
def request_new(request: HttpRequest, payload: AdviceRequestIn) -> Status[Any]:
    """A general question (a CPR number in it is refused, 422) or about a case you work on."""
    user = api_user(request)
    unit = Unit.objects.filter(code=payload.unit_code).first()
    if unit is None:
        raise field_error("unit_code", _("You ask only on behalf of your own unit."))
    fields = payload.model_dump(exclude={"unit_code", "case_reference", "journal_entry_ids"})
    advice = services.advice_request_create(
        actor=user, unit=unit, **fields, **_case_and_entries(user, payload)
    )
    return Status(201, _thread(request, advice))


def _write(request: HttpRequest, action: Any, **fields: Any) -> Any:
    advice = opened_object(request, AdviceRequest)
    action(actor=api_user(request), request=advice, **fields)
    return _thread(request, request_for(api_user(request), advice.pk))


@_write_op("messages", EITHER_SIDE, "advice_message", "Add a message to the thread")
def message(request: HttpRequest, payload: AdviceTextIn, advice_id: int = IdPath) -> Any:
    """The unit's follow-up, or an adviser's question to the unit."""
    return _write(request, services.advice_message_add, text=payload.text)


@_write_op("answer", ADVISERS, "advice_answer", "Answer an advice request")
def answer(request: HttpRequest, payload: AdviceAnswerIn, advice_id: int = IdPath) -> Any:
    """The answer, optionally with a recommendation on motivation and suitability (reasons)."""
    fields = {
        **payload.model_dump(),
        "motivation": payload.motivation or "",
        "suitability": payload.suitability or "",
    }
    return _write(request, services.advice_answer, **fields)


@_write_op("notes", ADVISERS, "advice_note", "Add an internal note between advisers")
def note(request: HttpRequest, payload: AdviceTextIn, advice_id: int = IdPath) -> Any:
    """Never shown to the unit."""
    return _write(request, services.advice_note_add, text=payload.text)


@_write_op(
    "close",
    EITHER_SIDE,
    "advice_close",
    "Close an advice request (the advisers' access to the case ends)",
)
def close(request: HttpRequest, advice_id: int = IdPath) -> Any:
    """The unit or an adviser closes the request."""
    return _write(request, services.advice_close)


@_write_op("assign", ADVISERS, "advice_assign", "Assign an advice request to an adviser")
def assign(request: HttpRequest, payload: AdviceAssignIn, advice_id: int = IdPath) -> Any:
    """Assign or reassign the request to an adviser of the national contact point."""
    adviser = advisers().filter(pk=payload.adviser_id).first()
    if adviser is None:
        raise field_error("adviser_id", _("Choose an adviser of the national contact point."))
    return _write(request, services.advice_assign, adviser=adviser)


@_write_op(
    "access",
    ASKING_UNIT,
    "advice_access",
    "Shorten, end or (consenting) extend the advisers' access to the case",
)
def access(request: HttpRequest, payload: AdviceAccessIn, advice_id: int = IdPath) -> Any:
    """The asking unit only; at most ``VEJUD_ADVICE_ACCESS_DAYS`` from now (else 422)."""
    return _write(request, services.advice_access_days_set, days=payload.days)


@ADVISERS.route(
    router.get,
    "/advice/requests/{advice_id}/parts",
    {200: AdvicePartsOut, **READ_ERRORS},
    "advice_parts",
    "Show the parts of the case the unit attached",
)
def parts(request: HttpRequest, advice_id: int = IdPath) -> Any:
    """During the access period only (404 after it ends or the request is closed)."""
    advice = opened_object(request, AdviceRequest)
    opened = advice_access(api_user(request), advice)
    if opened is None:
        raise Http404
    log_advice_access(
        user=api_user(request),
        request=advice,
        part="attached_parts",
        http_request=request,
        channel="api",
    )
    return selectors.attached_out(opened)
