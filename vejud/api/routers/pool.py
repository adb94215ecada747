"""The central pool through the API: budget years, guidelines, applications, decisions,
payments, releases and documents (issue 5).

Same services and gate as the pool pages. The year overview and the list of years are
aggregates for the national staff and analysts (VIEW_POOL): no case and no person appear.
Applications are listed only through ``applications_visible_to``, so a unit never sees
another unit's applications; case-scoped operations open the grants part of the case
(a mentor gets 404). Every read of an application is access-logged with channel "api".
Service errors become JSON answers in ``vejud.api.api``: ValidationError → 422; not enough
budget left and a changed application → 409.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Query, Router, Status, UploadedFile

from vejud.access.cases import CaseAccess, access_entries
from vejud.access.casework import may_apply_for_grants
from vejud.access.rules import Capability, Part
from vejud.actions.declare import plain
from vejud.api.auth import api_user
from vejud.api.gates import CapabilityGate, CaseGate, case_access_of, log_case_read
from vejud.api.operations import READ_ERRORS, WRITE_ERRORS, Operation, register
from vejud.api.pagination import cursor_decode, cursor_encode
from vejud.api.routers.course import field_error
from vejud.api.schemas import STORED_FILE, ErrorOut, IdPath, ReferencePath
from vejud.api.schemas_pool import (
    YEAR_MAX,
    YEAR_MIN,
    AnswerIn,
    ApplicationFilters,
    ApplicationIn,
    ApplicationOut,
    ApplicationPageOut,
    AttachmentOut,
    CaseGrantsOut,
    DecisionIn,
    EntryIn,
    EntryListOut,
    EntryOut,
    GuidelineIn,
    GuidelineListOut,
    GuidelineOut,
    PaymentIn,
    PaymentOut,
    ReleaseIn,
    WithdrawIn,
    YearIn,
    YearListOut,
    YearOut,
    YearOverviewOut,
)
from vejud.audit.services import log_access_many
from vejud.cases.models import Case
from vejud.core.uploads import download
from vejud.courses.models import PlanAction
from vejud.pool.actions import ANSWER, DECIDE, GRANT_APPLY, PAY, RELEASE, WITHDRAW, GrantAction
from vejud.pool.models import (
    Application,
    ApplicationEvent,
    Attachment,
    AttachmentKind,
    BudgetEntry,
    BudgetYear,
    Guideline,
    Payment,
)
from vejud.pool.selectors import (
    applications_for_case,
    applications_visible_to,
    budget_availability,
    get_application_for,
    year_overview,
)
from vejud.pool.services import (
    APPLICABLE_STATUSES,
    attachment_add,
    attachment_content,
    budget_entry_add,
    budget_year_create,
    guideline_publish,
)

router = Router(tags=["pool"])

# Aggregates of the pool (national staff and analysts) and its administration.
VIEWS_POOL = CapabilityGate(Capability.VIEW_POOL)
MANAGES_POOL = CapabilityGate(Capability.MANAGE_POOL)
VIEWS_GRANTS = CapabilityGate(Capability.VIEW_GRANTS)
# A case's grants: reading needs the grants part (a mentor gets 404); acting needs the role.
GRANTS = CaseGate(part=Part.GRANTS)
APPLIES = CaseGate(part=Part.GRANTS, capability=Capability.APPLY_GRANTS)
DECIDES = CaseGate(part=Part.GRANTS, capability=Capability.DECIDE_GRANTS)
MANAGES = CaseGate(part=Part.GRANTS, capability=Capability.MANAGE_POOL)
ATTACHES = CaseGate(
    part=Part.GRANTS, capability=Capability.APPLY_GRANTS, alternatives=(Capability.MANAGE_POOL,)
)

BASE = "/cases/{reference}/grants"
ONE = BASE + "/{application_id}"


def _with_history(applications: QuerySet[Application]) -> QuerySet[Application]:
    """The applications with their history, payments and documents (the API's one
    application)."""
    return applications.select_related("case", "decided_by", "submitted_by").prefetch_related(
        Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor")),
        Prefetch("payments", queryset=Payment.objects.select_related("created_by")),
        Prefetch(
            "attachments",
            queryset=Attachment.objects.select_related("uploaded_by").defer("content"),
        ),
    )


def _application(access: CaseAccess, application_id: int) -> Application:
    """Return one application of the authorised case with its history, payments, documents."""
    return get_object_or_404(_with_history(applications_for_case(access)), pk=application_id)


def _year(year: int) -> BudgetYear:
    return get_object_or_404(BudgetYear, year=year)


YearPath = Path(..., ge=YEAR_MIN, le=YEAR_MAX)


# --- Budget years -----------------------------------------------------------------------------


@VIEWS_POOL.route(
    router.get,
    "/pool/years",
    {200: YearListOut, 401: ErrorOut, 403: ErrorOut},
    "pool_years",
    "List the pool's budget years with their totals",
)
def years(request: HttpRequest) -> Any:
    """Return every budget year, newest first: budget, committed, paid and available."""
    return {"items": BudgetYear.objects.order_by("-year")}


@MANAGES_POOL.route(
    router.post,
    "/pool/years",
    {201: YearOut, **WRITE_ERRORS},
    "pool_year_open",
    "Open a budget year with its first allocation",
)
def year_new(request: HttpRequest, payload: YearIn) -> Status[Any]:
    """Open the year; 409 (code ``year_exists``, from the service) if it has a budget already."""
    year = budget_year_create(
        actor=api_user(request),
        year=payload.year,
        amount_ore=payload.amount_ore,
        reason=payload.reason,
    )
    return Status(201, year)


@VIEWS_POOL.route(
    router.get,
    "/pool/years/{year}",
    {200: YearOverviewOut, **READ_ERRORS},
    "pool_year_overview",
    "Show a year's figures per category, per unit and paid per month",
)
def year_detail(request: HttpRequest, year: int = YearPath) -> Any:
    """Aggregates only: budget, committed, paid, pending and available, in total, per
    category (with its frame) and per applying unit, and what was paid each month."""
    return year_overview(_year(year))


@MANAGES_POOL.route(
    router.get,
    "/pool/years/{year}/entries",
    {200: EntryListOut, **READ_ERRORS},
    "pool_entries",
    "List a year's budget entries",
)
def entries(request: HttpRequest, year: int = YearPath) -> Any:
    """Every allocation, reallocation and reduction of the year, oldest first."""
    budget_year = _year(year)
    items = BudgetEntry.objects.filter(budget_year=budget_year).select_related("created_by")
    return {"year": budget_year.year, "items": items}


@MANAGES_POOL.route(
    router.post,
    "/pool/years/{year}/entries",
    {201: EntryOut, **WRITE_ERRORS},
    "pool_entry_add",
    "Allocate, reallocate between categories, or reduce a year's budget",
)
def entry_new(request: HttpRequest, payload: EntryIn, year: int = YearPath) -> Status[Any]:
    """Add an audited budget entry; 422 if it would leave committed money without budget."""
    entry = budget_entry_add(
        actor=api_user(request),
        budget_year=_year(year),
        kind=payload.kind.value,
        amount_ore=payload.amount_ore,
        reason=payload.reason,
        from_category=payload.from_category.value if payload.from_category else "",
        to_category=payload.to_category.value if payload.to_category else "",
    )
    return Status(201, entry)


# --- Guidelines -------------------------------------------------------------------------------


@VIEWS_GRANTS.route(
    router.get,
    "/pool/guidelines",
    {200: GuidelineListOut, 401: ErrorOut, 403: ErrorOut},
    "pool_guidelines",
    "List the guidelines for flexible use of the pool",
)
def guidelines(request: HttpRequest) -> Any:
    """Every guideline, by category and newest first; ``in_force`` marks today's."""
    return {"items": Guideline.objects.order_by("category", "-valid_from")}


@MANAGES_POOL.route(
    router.post,
    "/pool/guidelines",
    {201: GuidelineOut, **WRITE_ERRORS},
    "pool_guideline_publish",
    "Publish a guideline for a category",
)
def guideline_new(request: HttpRequest, payload: GuidelineIn) -> Status[Any]:
    """The guideline in force for the category until then ends the day before."""
    guideline = guideline_publish(
        actor=api_user(request),
        category=payload.category.value,
        description=payload.description,
        cap_per_grant_ore=payload.cap_per_grant_ore,
        cap_per_person_year_ore=payload.cap_per_person_year_ore,
        required_documentation=payload.required_documentation,
        valid_from=payload.valid_from,
        valid_to=payload.valid_to,
    )
    return Status(201, guideline)


# --- Applications across cases ----------------------------------------------------------------


# The list's filters and the lookups they make (a filter not given filters nothing).
FILTER_LOOKUPS = {
    "status": "status",
    "category": "category",
    "year": "budget_year__year",
    "unit": "applying_unit__code",
    "case": "case__reference",
    "over_cap": "over_cap",
}


def _lookups(filters: ApplicationFilters) -> dict[str, Any]:
    given = {name: getattr(filters, name) for name in FILTER_LOOKUPS}
    return {FILTER_LOOKUPS[name]: value for name, value in given.items() if value is not None}


@VIEWS_GRANTS.route(
    router.get,
    "/pool/applications",
    {200: ApplicationPageOut, 400: ErrorOut, **READ_ERRORS},
    "pool_applications",
    "List the applications on the cases you may see",
)
def applications(request: HttpRequest, filters: Query[ApplicationFilters]) -> Any:
    """One page of the applications on your cases (every case for the national staff),
    newest first. Cases are named by reference only; each case shown is logged."""
    user = api_user(request)
    qs = applications_visible_to(user).filter(**_lookups(filters))
    if filters.cursor:
        qs = qs.filter(id__lt=cursor_decode(filters.cursor))
    rows = list(qs.order_by("-id")[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    if rows:
        log_access_many(
            user=user,
            part=Part.GRANTS.value,
            entries=access_entries(user, [a.case for a in rows]),
            request=request,
            channel="api",
        )
    return {
        "items": rows,
        "next_cursor": cursor_encode(rows[-1].pk) if more else None,
    }


# --- A case's grants --------------------------------------------------------------------------


@GRANTS.route(
    router.get,
    BASE,
    {200: CaseGrantsOut, **READ_ERRORS},
    "case_grants",
    "List the case's applications and what is left of this year's budget",
)
def case_grants(request: HttpRequest, reference: str = ReferencePath) -> Any:
    """The case's applications (newest first), this year's availability per category
    frame, and whether you may apply. The view is logged."""
    access = case_access_of(request)
    user = api_user(request)
    items = list(applications_for_case(access).select_related("case"))
    budget_year = BudgetYear.objects.filter(year=timezone.localdate().year).first()
    availability = []
    if budget_year is not None:
        availability = [
            {"category": value, "label": label, "frame_ore": frame, "available_ore": available}
            for value, label, frame, available in budget_availability(budget_year)
        ]
    log_case_read(request, access, Part.GRANTS.value)
    return {
        "reference": access.case.reference,
        "applications": items,
        "year": budget_year.year if budget_year else None,
        "year_available_ore": budget_year.available_ore if budget_year else None,
        "availability": availability,
        "can_apply": may_apply_for_grants(user, access)
        and access.case.status in APPLICABLE_STATUSES,
    }


@GRANTS.route(
    router.get,
    ONE,
    {200: ApplicationOut, **READ_ERRORS},
    "grant_detail",
    "Show one application with its history, payments and documents",
)
def grant_detail(
    request: HttpRequest,
    reference: str = ReferencePath,
    application_id: int = IdPath,
) -> Any:
    """The application and what you may do with it now. The view is logged."""
    access = case_access_of(request)
    application = get_application_for(access, application_id)
    log_case_read(request, access, Part.GRANTS.value)
    return _application(access, application.pk)


# --- Applying on the case (the declared case action, vejud.pool.actions) -----------------------


def _plan_action(case: Case, target: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The body's exit-plan action as the service wants it (one of the case's plan)."""
    fields = dict(data)
    action_id = fields.pop("plan_action_id")
    action = None
    if action_id is not None:
        action = PlanAction.objects.filter(pk=action_id, case=case).first()
        if action is None:
            raise field_error("plan_action_id", _("The action is not in this case's exit plan."))
    return {**fields, "plan_action": action}


def _applied(application: Application) -> Application:
    """The new application as the case's applications show it."""
    rows = Application.objects.select_related(
        "applying_unit", "budget_year", "guideline", "plan_action"
    )
    return _with_history(rows).get(pk=application.pk)


register(
    router,
    Operation(
        GRANT_APPLY,
        "/grants",
        ApplicationIn,
        ApplicationOut,
        _applied,
        "Apply for a grant from the central pool",
        "grant_apply",
        prepare=_plan_action,
        description="Apply on a case under assessment or in a course. An amount above the "
        "guideline's caps\n    is flagged and needs ``over_cap_reason``.",
    ),
)


# --- The actions on an application (vejud.pool.actions): one operation each -----------------


@dataclass(frozen=True)
class GrantOperation:
    """The API side of the application action ``action``: the body goes to its service."""

    action: GrantAction
    path: str
    body: type[Any]
    out: Any
    gate: CaseGate
    operation_id: str
    summary: str
    description: str
    status: int = 200


def _grant_view(op: GrantOperation) -> Callable[..., Any]:
    """Return the operation's view (its signature tells ninja the body and path)."""

    def view(request: HttpRequest, payload: Any, application_id: int, **kwargs: Any) -> Any:
        access = case_access_of(request)
        application = get_application_for(access, application_id)
        result = op.action.run(api_user(request), application, plain(payload.model_dump()))
        if isinstance(result, Payment):
            return Status(op.status, Payment.objects.select_related("created_by").get(pk=result.pk))
        return Status(op.status, _application(access, application.pk))

    keyword = inspect.Parameter.KEYWORD_ONLY
    view.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(
                "request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=HttpRequest
            ),
            inspect.Parameter("payload", keyword, annotation=op.body),
            inspect.Parameter("reference", keyword, annotation=str, default=ReferencePath),
            inspect.Parameter("application_id", keyword, annotation=int, default=IdPath),
        ]
    )
    view.__doc__ = op.description
    return view


GRANT_OPERATIONS = (
    GrantOperation(
        DECIDE,
        "/decision",
        DecisionIn,
        ApplicationOut,
        DECIDES,
        "grant_decide",
        "Decide on an application (national decision-maker)",
        """Approve in full or partly, refuse, or ask for more information. An approval never
    goes above the budget: 409 with what is left when there is not enough.""",
    ),
    GrantOperation(
        ANSWER,
        "/answer",
        AnswerIn,
        ApplicationOut,
        APPLIES,
        "grant_answer",
        "Answer the pool's request for more information",
        "The application awaits a decision again.",
    ),
    GrantOperation(
        WITHDRAW,
        "/withdraw",
        WithdrawIn,
        ApplicationOut,
        APPLIES,
        "grant_withdraw",
        "Withdraw an application that has not been decided",
        "Withdraw with a reason.",
    ),
    GrantOperation(
        PAY,
        "/payments",
        PaymentIn,
        PaymentOut,
        MANAGES,
        "grant_payment",
        "Register a payment against an approved grant",
        "Never more than what is left of the approval (422 otherwise).",
        status=201,
    ),
    GrantOperation(
        RELEASE,
        "/release",
        ReleaseIn,
        ApplicationOut,
        MANAGES,
        "grant_release",
        "Release approved money that will not be paid back to the budget",
        "Release all that is unpaid, or ``amount_ore`` of it.",
    ),
)
for _op in GRANT_OPERATIONS:
    _op.gate.route(
        router.post,
        ONE + _op.path,
        {_op.status: _op.out, **WRITE_ERRORS},
        _op.operation_id,
        _op.summary,
    )(_grant_view(_op))


@ATTACHES.route(
    router.post,
    ONE + "/attachments",
    {201: AttachmentOut, **WRITE_ERRORS},
    "grant_attach",
    "Attach a quote, an invoice or other documentation (PDF, PNG or JPEG)",
)
def grant_attach(
    request: HttpRequest,
    kind: Form[AttachmentKind],
    file: File[UploadedFile],
    reference: str = ReferencePath,
    application_id: int = IdPath,
) -> Status[Any]:
    """multipart/form-data with ``kind`` and ``file``. The file's real type is checked from
    its content, and its size is limited (422 otherwise)."""
    access = case_access_of(request)
    # Read one byte past the limit, so the service can tell a file that is too large.
    data = file.read(settings.VEJUD_POOL_ATTACHMENT_MAX_BYTES + 1)
    attachment = attachment_add(
        actor=api_user(request),
        application=get_application_for(access, application_id),
        kind=AttachmentKind(kind).value,
        filename=file.name or "",
        data=data,
    )
    return Status(201, Attachment.objects.select_related("uploaded_by").get(pk=attachment.pk))


@GRANTS.route(
    router.get,
    ONE + "/attachments/{attachment_id}",
    {200: None, **READ_ERRORS},
    "grant_attachment",
    "Download a document of an application",
    openapi_extra=STORED_FILE,
)
def grant_attachment(
    request: HttpRequest,
    reference: str = ReferencePath,
    application_id: int = IdPath,
    attachment_id: int = IdPath,
) -> HttpResponse:
    """The document as stored (its type sniffed on upload), as an attachment. Logged."""
    access = case_access_of(request)
    application = get_application_for(access, application_id)
    attachment = get_object_or_404(Attachment, pk=attachment_id, application=application)
    data = attachment_content(attachment)
    log_case_read(request, access, "grant_attachment")
    return download(data, content_type=attachment.content_type, filename=attachment.filename)
