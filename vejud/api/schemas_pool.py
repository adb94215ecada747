"""Request and response shapes of the central-pool API (issue 5).

The conventions are those of ``vejud.api.schemas``: request bodies are strict (unknown keys
and wrong JSON types are a 422), choices are the models' own TextChoices, dates are ISO
"YYYY-MM-DD" strings. Money is integer øre in fields named ``*_ore``: a JSON number with a
fraction (or any float) is refused, and every amount is bounded. No shape carries a person's
name, CPR number or address: an application names its case by reference only, and the
year overview holds aggregates only (no case, no person).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.utils import timezone
from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field, Strict, WithJsonSchema

from vejud.api.auth import api_user
from vejud.api.gates import case_access_of
from vejud.api.schemas import (
    ID_MAX,
    REFERENCE_PATTERN,
    UNIT_CODE_PATTERN,
    BlankAsNone,
    Cursor,
    LongText,
    OptionalUserName,
    PageLimit,
    RequiredText,
    StrictBody,
    UnitOut,
    UserName,
    _storable,
)
from vejud.api.schemas_course import CourseDate
from vejud.pool.models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    AttachmentKind,
    Category,
    DecisionOutcome,
    EntryKind,
    Guideline,
)
from vejud.pool.money import MAX_ORE
from vejud.pool.selectors import YearOverview, grant_actions

YEAR_MIN = 2000
YEAR_MAX = 2199

Ore = Annotated[
    int, Field(ge=1, le=MAX_ORE, description="Whole øre (100 øre = 1 krone), more than 0.")
]
Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX)]
VersionIn = Annotated[
    int,
    Field(
        ge=1,
        le=2**31 - 1,
        description="The application version you acted on (from the application): "
        "if it changed since, the answer is 409.",
    ),
]
CategoryIn = Annotated[Category, Strict(False)]
# Enums whose class names other apps use too (decisions.DecisionOutcome, a nested "Kind"):
# described inline, so their OpenAPI components never replace one another.
GrantOutcome = Annotated[
    DecisionOutcome,
    Strict(False),
    WithJsonSchema({"title": "GrantOutcome", "type": "string", "enum": DecisionOutcome.values}),
]
EventKind = Annotated[
    ApplicationEvent.Kind,
    WithJsonSchema(
        {"title": "GrantEventKind", "type": "string", "enum": ApplicationEvent.Kind.values}
    ),
]
Supplier = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_storable)]
InvoiceReference = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_storable)]


# --- Budget years and entries -----------------------------------------------------------------


class YearIn(StrictBody):
    """Open a budget year with its first allocation."""

    year: Year
    amount_ore: Ore
    reason: RequiredText


class EntryIn(StrictBody):
    """A change of a year's budget: allocate, reallocate between categories, or reduce.

    An empty side of a reallocation is the year's unframed remainder; an allocation has no
    ``from_category``, a reduction no ``to_category``.
    """

    kind: Annotated[EntryKind, Strict(False)]
    amount_ore: Ore
    reason: RequiredText
    from_category: CategoryIn | None = None
    to_category: CategoryIn | None = None


class YearOut(Schema):
    """A budget year's totals (øre)."""

    year: int
    budget_ore: int
    committed_ore: int = Field(description="Approved minus released.")
    paid_ore: int
    available_ore: int = Field(description="Budget minus committed.")


class YearListOut(Schema):
    items: list[YearOut] = Field(description="Newest year first.")


class EntryOut(Schema):
    id: int
    kind: EntryKind
    amount_ore: int
    from_category: Annotated[Category | None, BlankAsNone]
    to_category: Annotated[Category | None, BlankAsNone]
    reason: str
    created_by: UserName
    created_at: datetime


class EntryListOut(Schema):
    year: int
    items: list[EntryOut] = Field(description="In the order they were made.")


class FiguresOut(Schema):
    """Aggregate figures (øre); ``budget_ore`` is null where there is no budget of its own."""

    budget_ore: int | None
    committed_ore: int
    paid_ore: int
    unpaid_ore: int = Field(description="Committed, not yet paid.")
    pending_ore: int = Field(description="Applied for, not yet decided.")
    available_ore: int | None
    applications: int


class CategoryFiguresOut(FiguresOut):
    category: Category
    label: str


class UnitFiguresOut(FiguresOut):
    unit: str = Field(description="The applying unit's name.")


class MonthOut(Schema):
    month: date = Field(description="The first day of the month.")
    paid_ore: int


class YearOverviewOut(Schema):
    """The year's figures: aggregates only, never a case or a person."""

    year: int
    total: FiguresOut
    categories: list[CategoryFiguresOut]
    units: list[UnitFiguresOut]
    months: list[MonthOut] = Field(description="Paid per month.")

    @staticmethod
    def resolve_year(obj: YearOverview) -> int:
        return obj.year.year

    @staticmethod
    def resolve_categories(obj: YearOverview) -> list[dict[str, Any]]:
        return [
            {"category": value, "label": label, **FiguresOut.from_orm(figures).model_dump()}
            for value, label, figures in obj.categories
        ]

    @staticmethod
    def resolve_units(obj: YearOverview) -> list[dict[str, Any]]:
        return [
            {"unit": name, **FiguresOut.from_orm(figures).model_dump()}
            for name, figures in obj.units
        ]

    @staticmethod
    def resolve_months(obj: YearOverview) -> list[dict[str, Any]]:
        return [{"month": month, "paid_ore": paid} for month, paid in obj.months]


# --- Guidelines -----------------------------------------------------------------------------


class GuidelineIn(StrictBody):
    """Publish a guideline; the one in force for the category ends the day before."""

    category: CategoryIn
    description: RequiredText
    cap_per_grant_ore: Ore
    cap_per_person_year_ore: Ore
    required_documentation: RequiredText
    valid_from: CourseDate
    valid_to: CourseDate | None = None


class GuidelineOut(Schema):
    id: int
    category: Category
    label: str = Field(alias="get_category_display")
    description: str
    cap_per_grant_ore: int
    cap_per_person_year_ore: int
    required_documentation: str
    valid_from: date
    valid_to: date | None
    in_force: bool = Field(description="In force today.")

    @staticmethod
    def resolve_in_force(obj: Guideline) -> bool:
        today = timezone.localdate()
        return obj.valid_from <= today and (obj.valid_to is None or obj.valid_to >= today)


class GuidelineListOut(Schema):
    items: list[GuidelineOut] = Field(description="By category, newest first.")


# --- Applications ---------------------------------------------------------------------------


class ApplicationFilters(Schema):
    """Query parameters of the application list."""

    model_config = ConfigDict(extra="forbid")

    status: ApplicationStatus | None = None
    category: Category | None = None
    year: Year | None = None
    unit: str | None = Field(None, min_length=1, max_length=60, pattern=UNIT_CODE_PATTERN)
    case: str | None = Field(None, pattern=REFERENCE_PATTERN, description="A case reference.")
    over_cap: bool | None = None
    cursor: Cursor = None
    limit: PageLimit = 25


class ApplicationIn(StrictBody):
    """Apply for a grant for the case; an amount above the guideline's caps needs a reason."""

    category: CategoryIn
    amount_ore: Ore
    purpose: RequiredText
    supplier: Supplier
    period_from: CourseDate
    period_to: CourseDate
    plan_action_id: Annotated[int, Field(ge=1, le=ID_MAX)] | None = Field(
        None, description="An action of the case's exit plan the grant serves."
    )
    over_cap_reason: LongText = ""


class DecisionIn(StrictBody):
    """The national decision-maker's decision: approve (in full or partly), refuse, or ask."""

    outcome: GrantOutcome
    reason: LongText = Field(
        "", description="Required except for a full approval; the question when asking."
    )
    amount_ore: Ore | None = Field(None, description="The approved amount of a partial approval.")
    expected_version: VersionIn | None = None


class AnswerIn(StrictBody):
    answer: RequiredText
    expected_version: VersionIn | None = None


class WithdrawIn(StrictBody):
    reason: RequiredText
    expected_version: VersionIn | None = None


class PaymentIn(StrictBody):
    paid_on: CourseDate
    amount_ore: Ore
    invoice_reference: InvoiceReference


class ReleaseIn(StrictBody):
    reason: RequiredText
    amount_ore: Ore | None = Field(None, description="Default: all that is unpaid.")


class ApplicationItemOut(Schema):
    """An application in a list: the case by reference only, no person data."""

    id: int
    reference: str = Field(description="The application's reference (PUL-00001).")
    case_reference: str = Field(alias="case.reference")
    unit: UnitOut = Field(description="The applying unit.", alias="applying_unit")
    year: int = Field(alias="budget_year.year")
    category: Category
    status: ApplicationStatus
    amount_ore: int
    approved_ore: int
    paid_ore: int
    released_ore: int
    over_cap: bool
    submitted_at: datetime
    decided_at: datetime | None


class ApplicationPageOut(Schema):
    items: list[ApplicationItemOut] = Field(description="Newest first.")
    next_cursor: str | None = Field(
        description="Pass as cursor for the next page; null at the end."
    )


class EventOut(Schema):
    kind: EventKind
    label: str = Field(alias="get_kind_display")
    amount_ore: int | None
    text: str
    actor: UserName
    at: datetime


class PaymentOut(Schema):
    id: int
    paid_on: date
    amount_ore: int
    invoice_reference: str
    created_by: UserName
    created_at: datetime


class AttachmentOut(Schema):
    id: int
    kind: AttachmentKind
    filename: str
    content_type: str
    size: int
    uploaded_by: UserName
    uploaded_at: datetime


class ApplicationActionsOut(Schema):
    """What the caller may do with the application right now."""

    decide: bool
    answer: bool
    withdraw: bool
    pay: bool
    release: bool
    attach: bool


class GuidelineRefOut(Schema):
    id: int
    cap_per_grant_ore: int
    cap_per_person_year_ore: int
    valid_from: date
    valid_to: date | None


class PlanActionRefOut(Schema):
    id: int
    description: str


class ApplicationOut(ApplicationItemOut):
    """One application with its history, payments and documents."""

    version: int = Field(description="Pass as expected_version with a decision or an answer.")
    purpose: str
    supplier: str
    period_from: date
    period_to: date
    over_cap_reason: str
    guideline: GuidelineRefOut
    plan_action: PlanActionRefOut | None
    committed_ore: int = Field(description="Approved minus released.")
    unpaid_ore: int = Field(description="Approved, neither paid nor released.")
    decision_reason: str
    decided_by: OptionalUserName
    submitted_by: UserName
    events: list[EventOut] = Field(description="Oldest first.")
    payments: list[PaymentOut]
    attachments: list[AttachmentOut]
    actions: ApplicationActionsOut

    @staticmethod
    def resolve_actions(obj: Application, context: dict[str, Any]) -> dict[str, bool]:
        request = context["request"]
        return grant_actions(api_user(request), case_access_of(request), obj)


class AvailabilityOut(Schema):
    """What is left of this year's frame for a category (null: no frame of its own)."""

    category: Category
    label: str
    frame_ore: int | None
    available_ore: int | None


class CaseGrantsOut(Schema):
    reference: str
    applications: list[ApplicationItemOut] = Field(description="Newest first.")
    year: int | None = Field(description="This year, if the pool has a budget for it.")
    year_available_ore: int | None
    availability: list[AvailabilityOut]
    can_apply: bool
