"""Request and response shapes of the exit-course API: agreement, plan, offers, mentor,
follow-up, transfers, good release, closure (issue 4).

The conventions are those of ``vejud.api.schemas``: request bodies are strict (unknown keys
and wrong JSON types are a 422), choices are the models' own TextChoices, dates are ISO
"YYYY-MM-DD" strings. No shape has a CPR number or an address; the receiver of a transfer
sees only the reference, the units and the hand-over note.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.utils import timezone
from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field, Strict, model_validator

from vejud.api.schemas import (
    UNIT_CODE_PATTERN,
    CaseStateOut,
    Code,
    ExpectedVersion,
    IsoDate,
    LabelText,
    LongText,
    OptionalUserName,
    RequiredText,
    ShortText,
    StrictBody,
    UnitOut,
    UserName,
    _storable,
)
from vejud.cases.models import CaseStatus, Track
from vejud.courses.models import (
    ActionStatus,
    ClosureReason,
    LifeArea,
    MeetingForm,
    OfferStatus,
    OwnerAgency,
    Party,
)
from vejud.courses.selectors import add_months
from vejud.followup.models import RiskKind, WarningReason
from vejud.transfers.models import TransferStatus

# Dates of a course lie within the limits' years (vejud.core.limits): a date far out
# (9999-12-31) would overflow the date arithmetic of due dates and the expected end of the course.
CourseDate = IsoDate
Email = Annotated[
    str,
    Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$"),
    AfterValidator(_storable),
]
UnitCode = Annotated[str, Field(min_length=1, max_length=60, pattern=UNIT_CODE_PATTERN)]
Rating = Annotated[
    int, Field(ge=0, le=3, description="0 not started, 1 partly, 2 largely, 3 fully")
]


class _AtLeastOne(StrictBody):
    """A PATCH body: at least one field must be given (the schema says so: minProperties)."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    @model_validator(mode="after")
    def _something(self) -> Any:
        if not self.model_fields_set:
            raise ValueError("Give at least one field to change.")
        return self


# --- Agreement, plan, offers ----------------------------------------------------------------


class AgreementIn(StrictBody):
    """Exitaftale: the parties, the start of the course, its expected duration."""

    parties: list[Annotated[Party, Strict(False)]] = Field(
        min_length=1,
        max_length=4,
        description="The person, the police and the municipality; Kriminalforsorgen where relevant.",
    )
    starts_on: CourseDate
    expected_months: Annotated[int, Field(ge=1, le=36, description="Typically 6-12.")] = 12
    signed_on: CourseDate | None = None
    terms: LongText = ""


class AgreementOut(Schema):
    parties: list[Party]
    starts_on: date
    expected_months: int
    expected_end: date | None
    signed_on: date | None
    terms: str
    created_by: UserName
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_expected_end(obj: Any) -> date | None:
        try:
            return add_months(obj.starts_on, obj.expected_months)
        except (ValueError, OverflowError):  # a start date at the end of the calendar
            return None


class GoalIn(StrictBody):
    life_area: Annotated[LifeArea, Strict(False)]
    goal: RequiredText


class ActionIn(StrictBody):
    description: RequiredText
    owner_agency: Annotated[OwnerAgency, Strict(False)]
    deadline: CourseDate
    owner: Email | None = Field(
        None, description="E-mail of a named owner: staff of the case's unit or its mentor."
    )


class ActionPatchIn(_AtLeastOne):
    status: Annotated[ActionStatus, Strict(False)] | None = None
    outcome: LongText | None = None
    deadline: CourseDate | None = None


class ActionOut(Schema):
    id: int
    goal_id: int
    description: str
    owner_agency: OwnerAgency
    owner: OptionalUserName
    deadline: date
    status: ActionStatus
    outcome: str
    overdue: bool
    updated_at: datetime

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        return bool(obj.is_open and obj.deadline < timezone.localdate())


class GoalOut(Schema):
    id: int
    life_area: LifeArea
    goal: str
    created_at: datetime
    actions: list[ActionOut] = Field(description="By deadline.")

    @staticmethod
    def resolve_actions(obj: Any) -> Any:
        return obj.actions.all()


class AreaOut(LabelText):
    """The goals of one life area."""

    life_area: LifeArea
    label: str
    goals: list[GoalOut]

    @staticmethod
    def resolve_life_area(obj: Any) -> str:
        return str(obj.code)


class OfferIn(StrictBody):
    offer_type: Code = Field(description="Code of an offer in the catalogue.")
    provider: Annotated[str, Field(max_length=200), AfterValidator(_storable)] = ""
    starts_on: CourseDate | None = None
    ends_on: CourseDate | None = None
    status: Annotated[OfferStatus, Strict(False)] = OfferStatus.PLANNED


class OfferPatchIn(_AtLeastOne):
    status: Annotated[OfferStatus, Strict(False)] | None = None
    result: LongText | None = None
    ends_on: CourseDate | None = None


class OfferOut(Schema):
    id: int
    offer_type: str = Field(alias="offer_type.code")
    name: str = Field(alias="offer_type.name")
    provider: str
    starts_on: date | None
    ends_on: date | None
    status: OfferStatus
    result: str
    updated_at: datetime


class WishOut(Schema):
    """Help the person wished for; ``offered`` is false where no offer meets it (a gap)."""

    code: str
    name: str
    offered: bool


# --- Mentor --------------------------------------------------------------------------------


class MentorAssignIn(StrictBody):
    mentor: Email = Field(description="E-mail of a mentor of the case's unit.")
    starts_on: CourseDate | None = Field(None, description="Default: today.")


class MentorAssignmentOut(Schema):
    id: int
    mentor: UserName
    starts_on: date
    ends_on: date | None
    current: bool

    @staticmethod
    def resolve_current(obj: Any) -> bool:
        today = timezone.localdate()
        return bool(obj.starts_on <= today and (obj.ends_on is None or obj.ends_on >= today))


class MeetingIn(StrictBody):
    met_on: CourseDate
    form: Annotated[MeetingForm, Strict(False)]
    duration_minutes: Annotated[int, Field(ge=1, le=24 * 60)]
    note: LongText = ""
    needs_attention: bool = Field(
        False, description="Ask the unit for attention: a task for the case's coordinator."
    )


class MeetingOut(Schema):
    id: int
    mentor: str = Field(alias="assignment.mentor.full_name")
    met_on: date
    form: MeetingForm
    duration_minutes: int
    note: str
    needs_attention: bool
    attention_resolved_at: datetime | None
    attention_resolved_by: OptionalUserName


class ResolutionIn(StrictBody):
    note: LongText = ""


class UserRefOut(Schema):
    email: str
    name: str


# --- Closure and reopening ------------------------------------------------------------------


class ClosureIn(StrictBody):
    reason: Annotated[ClosureReason, Strict(False)]
    summary: RequiredText
    expected_version: ExpectedVersion


class ClosureOut(Schema):
    reason: ClosureReason
    reason_label: str = Field(alias="get_reason_display")
    summary: str
    closed_by: UserName
    closed_at: datetime


class ClosureResultOut(Schema):
    closure: ClosureOut
    case: CaseStateOut


class ReopenIn(StrictBody):
    note: LongText = ""


class ReopenOut(Schema):
    """201: the new case (a new attempt), linked to the ended one."""

    previous_reference: str
    case: CaseStateOut


# --- The course view ------------------------------------------------------------------------


class CourseActionsOut(Schema):
    """The course actions the caller may take on the case right now."""

    edit: bool
    assign_mentor: bool
    resolve: bool
    close: bool
    reopen: bool


class CourseOut(Schema):
    """The exit course as the unit sees it."""

    view: Literal["casework"]
    reference: str
    status: CaseStatus
    version: int = Field(description="Pass as expected_version when closing.")
    track: Track
    course_started_on: date | None
    agreement: AgreementOut | None
    plan: list[AreaOut] = Field(description="Goals per life area, in the catalogue's order.")
    offers: list[OfferOut]
    wishes: list[WishOut] = Field(
        description="Help wished for in the latest signed motivation assessment."
    )
    wishes_from_version: int | None = Field(
        description="The motivation assessment version the wishes come from."
    )
    gaps: list[str] = Field(description="Codes of wished help that no offer meets.")
    mentors: list[MentorAssignmentOut] = Field(description="Newest first; history kept.")
    current_mentor: MentorAssignmentOut | None
    meetings: list[MeetingOut] = Field(description="Newest first, at most 100.")
    meetings_more: bool = Field(description="True if older meetings were left out.")
    meeting_count: int
    attention: list[MeetingOut] = Field(description="Flagged meetings not yet resolved.")
    closure: ClosureOut | None
    previous_reference: str | None = Field(description="The earlier attempt, if you may see it.")
    actions: CourseActionsOut
    mentor_candidates: list[UserRefOut] = Field(description="Who may be assigned as mentor.")
    owner_candidates: list[UserRefOut] = Field(description="Who may own a plan action.")


class MentorCourseOut(Schema):
    """The mentor's view: the person's name, the plan, the offers and their own meetings."""

    view: Literal["mentor"]
    reference: str
    status: CaseStatus
    person_name: str
    plan: list[AreaOut]
    offers: list[OfferOut]
    meetings: list[MeetingOut] = Field(description="Your own meetings, newest first.")
    can_log: bool


CourseViewOut = Annotated[CourseOut | MentorCourseOut, Field(discriminator="view")]


# --- Follow-up (opfølgning) -----------------------------------------------------------------


class RiskEventIn(StrictBody):
    kind: Annotated[RiskKind, Strict(False)]
    occurred_on: CourseDate
    note: ShortText = ""


class ReviewIn(StrictBody):
    """A review of the four exit changes, the motivation level and risk events since the last."""

    reviewed_on: CourseDate
    crime_stopped: Rating
    crime_stopped_evidence: LongText = ""
    environment_left: Rating
    environment_left_evidence: LongText = ""
    lifestyle_changed: Rating
    lifestyle_changed_evidence: LongText = ""
    custody_behaviour: Rating | None = Field(None, description="Required in custody, else null.")
    custody_behaviour_evidence: LongText = ""
    motivation_level: Annotated[int, Field(ge=1, le=5)]
    risk_events: list[RiskEventIn] = Field(default_factory=list, max_length=20)
    note: LongText = ""


class RiskEventOut(Schema):
    kind: RiskKind
    occurred_on: date
    note: str


class WarningOut(Schema):
    """An early warning: a flag on the case until the coordinator resolves it."""

    id: int
    review_id: int
    reason: WarningReason
    label: str = Field(alias="get_reason_display")
    detail: str
    raised_at: datetime
    resolved_at: datetime | None
    resolved_by: OptionalUserName
    resolution_note: str


class ReviewOut(Schema):
    id: int
    reviewed_on: date
    crime_stopped: int
    crime_stopped_evidence: str = Field(alias="crime_evidence")
    environment_left: int
    environment_left_evidence: str = Field(alias="environment_evidence")
    lifestyle_changed: int
    lifestyle_changed_evidence: str = Field(alias="lifestyle_evidence")
    custody_behaviour: int | None
    custody_behaviour_evidence: str = Field(alias="custody_evidence")
    motivation_level: int
    note: str
    created_by: UserName
    created_at: datetime
    risk_events: list[RiskEventOut]
    warnings: list[WarningOut] = Field(description="The early warnings this review raised.")


class ReviewsOut(Schema):
    reference: str
    next_due_on: date | None = Field(description="Null when the case has no active course.")
    overdue: bool
    reviews: list[ReviewOut] = Field(description="Newest first.")
    open_warnings: list[WarningOut]
    can_record: bool


class WarningResolutionIn(StrictBody):
    note: RequiredText = Field(description="What was done.")


# --- Transfers and good release -------------------------------------------------------------


class TransferIn(StrictBody):
    """Overdragelse: the receiving unit (and track) and the note the receiver sees."""

    to_unit: UnitCode = Field(description="Local unit, municipal programme, DfK or the NEC.")
    to_track: Annotated[Track, Strict(False)] | None = Field(
        None, description="Default: custody for DfK, else at liberty."
    )
    to_institution: UnitCode | None = Field(None, description="The institution (custody only).")
    handover_note: RequiredText


class TransferOut(Schema):
    id: int
    status: TransferStatus
    from_unit: UnitOut
    from_track: Track
    from_institution: UnitOut | None
    to_unit: UnitOut
    to_track: Track
    to_institution: UnitOut | None
    handover_note: str
    requested_by: UserName
    requested_at: datetime
    decided_by: OptionalUserName
    decided_at: datetime | None
    decision_note: str
    track_changes_on: date | None = Field(
        description="Accepted before the release date: the case keeps its custody track until "
        "this day, then moves to to_track (the receiving unit is responsible from the acceptance)."
    )


class CaseTransfersOut(Schema):
    reference: str
    track: Track
    release_on: date | None
    items: list[TransferOut] = Field(description="Newest first.")
    can_request: bool


class ReleaseDateIn(StrictBody):
    release_on: CourseDate | None = Field(description="Null removes the date.")


class ReleaseDateOut(Schema):
    reference: str
    track: Track
    release_on: date | None


class ChecklistIn(StrictBody):
    housing: bool | None = None
    income: bool | None = None
    treatment: bool | None = None
    mentor_from_day_one: bool | None = None
    unit_informed: bool | None = None


class ChecklistOut(Schema):
    housing: bool
    income: bool
    treatment: bool
    mentor_from_day_one: bool
    unit_informed: bool


class ReleasePlanIn(_AtLeastOne):
    checklist: ChecklistIn | None = Field(None, description="Only the items given change.")
    receiving_unit: UnitCode | None = Field(None, description="Code of a local exit unit.")
    note: LongText | None = None


class ReleasePlanOut(Schema):
    release_on: date
    receiving_unit: UnitOut | None
    checklist: ChecklistOut
    missing: list[str] = Field(description="Checklist items not yet in place.")
    note: str
    transfer: TransferOut | None = Field(description="The transfer requested from the plan.")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_checklist(obj: Any) -> Any:
        return obj  # the checklist items are fields of the plan itself


class ReleasePlanStateOut(Schema):
    reference: str
    track: Track
    release_on: date | None
    plan: ReleasePlanOut | None = Field(
        description="Created automatically before the release date; null until then."
    )


class ReleaseTransferIn(StrictBody):
    handover_note: RequiredText


class IncomingTransferOut(Schema):
    """A transfer awaiting your unit: only what the receiver needs to decide."""

    id: int
    reference: str = Field(alias="case.reference")
    from_unit: UnitOut
    to_unit: UnitOut
    handover_note: str
    requested_at: datetime


class IncomingTransfersOut(Schema):
    items: list[IncomingTransferOut] = Field(description="Oldest first.")


class AcceptIn(StrictBody):
    note: LongText = ""


class DeclineIn(StrictBody):
    note: RequiredText = Field(description="Why the transfer is declined.")


class TransferAnswerOut(Schema):
    id: int
    reference: str
    status: TransferStatus
    decided_at: datetime | None
    decision_note: str
    case: CaseStateOut | None = Field(description="The case you took over (on accept).")
