"""The exit process through the API: inquiry, consent, transitions, decisions, referral, tasks.

Every operation calls the same services as the pages and passes the same gate first
(``vejud.api.gates``: token, role, case — before the body is read). Reads of a case
are access-logged with channel "api". Service errors become JSON answers in
``vejud.api.api``: ValidationError → 422, StaleCaseError and illegal transitions → 409.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from vejud.access.cases import AccessRuleDenied, case_access, cases_visible_to
from vejud.access.rules import Capability
from vejud.accounts.models import User
from vejud.api.auth import api_user
from vejud.api.gates import CASEWORK, CapabilityGate, case_access_of, log_case_read
from vejud.api.operations import READ_ERRORS, Operation, register
from vejud.api.schemas import (
    CaseStateOut,
    ConsentIn,
    ConsentOut,
    ConsentWithdrawalIn,
    DecisionResultOut,
    DuplicateOut,
    ErrorOut,
    FinalDecisionIn,
    InformationAnswerIn,
    InformationRequestIn,
    InformationRequestOut,
    InquiryIn,
    InquiryOut,
    ProcessOut,
    ReferencePath,
    ReferralIn,
    ReferralResultOut,
    TaskListOut,
    TransitionIn,
    UnitDecisionIn,
    ValidationErrorOut,
    unit_out,
)
from vejud.cases.models import Case
from vejud.cases.services import OpenCaseError
from vejud.decisions.actions import (
    ANSWER_INFORMATION,
    ASK_INFORMATION,
    DECIDE,
    FINAL_DECIDE,
    REFER,
    TRANSITION,
)
from vejud.decisions.models import Decision, Referral
from vejud.decisions.selectors import process_overview
from vejud.intake.actions import CONSENT, CONSENT_WITHDRAW
from vejud.intake.services import (
    PossibleDuplicateError,
    inquiry_register,
)
from vejud.organisations.models import Municipality, Unit, UnitKind
from vejud.people.models import Person
from vejud.worklist.selectors import tasks_for

router = Router(tags=["process"])

REGISTERS = CapabilityGate(Capability.WRITE_JOURNAL)
VIEWS_CASES = CapabilityGate(Capability.VIEW_CASES)

EARLIER_CASES_LIMIT = 50


def _state(case: Case) -> dict[str, Any]:
    return {"reference": case.reference, "status": case.status, "version": case.version}


def _state_now(case_id: int) -> dict[str, Any]:
    """Return the case's state as stored (a service may hold an older copy of the row)."""
    return _state(Case.objects.only("reference", "status", "version").get(pk=case_id))


def _as_read(instance: Any) -> Any:
    """The service's result as it is: the answer's schema reads its attributes."""
    return instance


# --- Inquiry -----------------------------------------------------------------------------


def _municipality(value: int | str | None) -> Municipality | None:
    if value is None:
        return None
    qs = Municipality.objects.all()
    found = qs.filter(pk=value).first() if isinstance(value, int) else None
    if isinstance(value, str):
        found = qs.filter(name__iexact=value.strip()).first()
    if found is None:
        raise ValidationError({"municipality": _("Unknown municipality.")}, code="municipality")
    return found


def _institution(code: str | None) -> Unit | None:
    if code is None:
        return None
    found = Unit.objects.filter(code=code, kind=UnitKind.INSTITUTION, is_active=True).first()
    if found is None:
        raise ValidationError({"institution": _("Unknown institution.")}, code="institution")
    return found


def _conflict(user: User, *, detail: str, code: str, persons: list[Person]) -> Status[Any]:
    """Return 409 with the earlier cases of ``persons`` that the user may see (only those)."""
    earlier = (
        cases_visible_to(user)
        .filter(person__in=persons)
        .select_related("responsible_unit")
        .order_by("-opened_on", "-id")[:EARLIER_CASES_LIMIT]
    )
    return Status(
        409,
        {
            "detail": detail,
            "code": code,
            "earlier_cases": [
                {
                    "reference": c.reference,
                    "status": c.status,
                    "unit": unit_out(c.responsible_unit),
                    "opened_on": c.opened_on,
                }
                for c in earlier
            ],
        },
    )


@REGISTERS.route(
    router.post,
    "/inquiries",
    {
        201: InquiryOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        409: DuplicateOut,
        422: ValidationErrorOut,
    },
    "inquiry_register",
    "Register an inquiry",
)
def inquiry_new(request: HttpRequest, payload: InquiryIn) -> Status[Any]:
    """Register an inquiry; it is routed to the exit unit of the district (or to DfK).

    409 when the person may already be registered (confirm with confirm_new_person) or
    has an open case; only earlier cases the caller may see are listed.
    """
    user = api_user(request)
    try:
        case = inquiry_register(actor=user, **_inquiry_fields(payload))
    except PossibleDuplicateError as exc:
        return _conflict(
            user, detail=str(exc.message), code="possible_duplicate", persons=exc.candidates
        )
    except OpenCaseError as exc:
        # The person's cases are listed only if the caller may see them.
        return _conflict(
            user, detail=exc.text, code="open_case_exists", persons=[exc.existing.person]
        )
    return Status(201, _registered(user, case))


def _inquiry_fields(payload: InquiryIn) -> dict[str, Any]:
    """What ``inquiry_register`` takes, from the body (references resolved to their rows)."""
    return {
        "source": payload.source.value,
        "channel": payload.channel.value,
        "received_on": payload.received_on,
        "municipality": _municipality(payload.municipality),
        "in_custody": payload.in_custody,
        "institution": _institution(payload.institution),
        "note": payload.note,
        "first_name": payload.first_name,
        "last_name": payload.last_name,
        "birth_date": payload.birth_date,
        "cpr": payload.cpr or "",
        "phone": payload.phone,
        "confirm_new_person": payload.confirm_new_person,
    }


def _registered(user: User, case: Case) -> dict[str, Any]:
    """The receipt: the reference and the unit; the case itself only if the caller may see it."""
    try:
        visible = case_access(user, case) is not None
    except AccessRuleDenied:
        visible = False
    data: dict[str, Any] = {
        "reference": case.reference,
        "unit": unit_out(case.responsible_unit),
        "visible": visible,
        "case": None,
    }
    if visible:
        data["case"] = {
            **_state(case),
            "track": case.track,
            "institution": unit_out(case.institution),
            "opened_on": case.opened_on,
            "assessment_due_on": case.assessment_due_on,
        }
    return data


# --- The process overview ------------------------------------------------------------------


@CASEWORK.route(
    router.get,
    "/cases/{reference}/process",
    {200: ProcessOut, **READ_ERRORS},
    "process_overview",
    "Show where the case is in the exit process",
)
def process(request: HttpRequest, reference: str = ReferencePath) -> Any:
    """Return stage, what is missing, deadline, consent, instruments, decisions and referral,
    and the actions and transitions the caller may take now (the view is logged)."""
    access = case_access_of(request)
    overview = process_overview(access, api_user(request))
    log_case_read(request, access, "process")
    return overview


# --- Consent -----------------------------------------------------------------------------


register(
    router,
    Operation(
        CONSENT,
        "/consents",
        ConsentIn,
        ConsentOut,
        _as_read,
        "Record the person's consent",
        "consent_record",
    ),
    Operation(
        CONSENT_WITHDRAW,
        "/consents/{consent_id}/withdrawal",
        ConsentWithdrawalIn,
        ConsentOut,
        _as_read,
        "Record that the person withdrew a consent",
        "consent_withdraw",
        status=200,
    ),
)


# --- Transitions and decisions: the declared actions of decisions/actions.py ---------------


def _decision_result(decision: Decision) -> dict[str, Any]:
    return {"decision": decision, "case": _state_now(decision.case_id)}


def _referral_result(referral: Referral) -> dict[str, Any]:
    return {
        "referral": referral,
        "case": _state_now(referral.case_id),
    }


register(
    router,
    Operation(
        TRANSITION,
        "/transitions",
        TransitionIn,
        CaseStateOut,
        _state,
        "Move the case on (start assessment, withdrawn, dropped, close)",
        "case_transition",
        status=200,
    ),
    Operation(
        DECIDE,
        "/decision",
        UnitDecisionIn,
        DecisionResultOut,
        _decision_result,
        "Record the unit's decision: admit or refuse",
        "unit_decision",
    ),
    Operation(
        REFER,
        "/referral",
        ReferralIn,
        ReferralResultOut,
        _referral_result,
        "Put a refusal before the National Exit Contact Point",
        "referral_create",
    ),
    Operation(
        ASK_INFORMATION,
        "/information-requests",
        InformationRequestIn,
        InformationRequestOut,
        _as_read,
        "Ask the unit for more information on a referred case",
        "information_request",
    ),
    Operation(
        ANSWER_INFORMATION,
        "/information-requests/{request_id}/answer",
        InformationAnswerIn,
        InformationRequestOut,
        _as_read,
        "Answer the contact point's request for information",
        "information_answer",
        status=200,
    ),
    Operation(
        FINAL_DECIDE,
        "/final-decision",
        FinalDecisionIn,
        DecisionResultOut,
        _decision_result,
        "Make the final decision on a referred case",
        "final_decision",
    ),
)


# --- Tasks -------------------------------------------------------------------------------


@VIEWS_CASES.route(
    router.get,
    "/tasks",
    {200: TaskListOut, 401: ErrorOut, 403: ErrorOut},
    "tasks",
    "List your tasks",
)
def tasks(request: HttpRequest) -> dict[str, Any]:
    """Return assessments due, decisions ready, questions to answer and referrals awaiting."""
    items = tasks_for(api_user(request))
    return {
        "items": [
            {
                "kind": t.kind,
                "label": str(t.label),
                "reference": t.reference,
                "status": t.status or None,
                "status_label": t.status_label,
                "detail": t.detail,
                "due_on": t.due_on,
                "overdue": t.overdue,
            }
            for t in items
        ],
        "overdue": sum(1 for t in items if t.overdue),
    }
