"""Request and response shapes of the API.

List items never carry a name, a CPR number or an address. The protected
address has no field anywhere in the API. Query parameters are constrained
(patterns, lengths, ranges) so bad input is a 422, never a database error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from django.utils import timezone
from ninja import Path, Schema
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    Strict,
    WithJsonSchema,
    model_validator,
)

from vejud.accounts.models import Role
from vejud.api import pagination
from vejud.assessments.models import MotivationKind, SuitabilityJudgement
from vejud.cases.models import CaseStatus, Track
from vejud.core import limits
from vejud.core.uploads import CONTENT_TYPES
from vejud.decisions.models import DecisionLevel, DecisionOutcome, RefusalGround
from vejud.intake.models import (
    ConsentAgency,
    ConsentMethod,
    ConsentTopic,
    InquiryChannel,
    InquirySource,
)
from vejud.organisations.models import Unit
from vejud.people.models import Attachment

UNIT_CODE_PATTERN = r"^[-a-zA-Z0-9_]+$"
REFERENCE_PREFIX_PATTERN = r"^[-a-zA-Z0-9]+$"
REFERENCE_PATTERN = r"^EX-[0-9]{4}-[0-9]{5}$"
# The case reference in an operation's path ({reference}).
ReferencePath = Path(..., pattern=REFERENCE_PATTERN)
CURSOR_PATTERN = pagination.CURSOR_PATTERN
# The paging query parameters of a list: where the page starts, and how many rows it has.
Cursor = Annotated[
    str | None,
    Field(min_length=1, max_length=40, pattern=CURSOR_PATTERN, description="From next_cursor."),
]
PageLimit = Annotated[int, Field(ge=1, le=100)]


# Reading model attributes: a user field is shown by the user's name, an empty choice as null.
def _full_name(user: Any) -> Any:
    return getattr(user, "full_name", user)


UserName = Annotated[str, BeforeValidator(_full_name)]
OptionalUserName = Annotated[str | None, BeforeValidator(_full_name)]
BlankAsNone = BeforeValidator(lambda value: value or None)


def file_answer(description: str, content_types: Iterable[str]) -> dict[str, Any]:
    """Document an operation's 200 answer as a file (an attachment) of one of
    ``content_types``; for ``openapi_extra``."""
    content = {c: {"schema": {"type": "string", "format": "binary"}} for c in content_types}
    return {"responses": {200: {"description": description, "content": content}}}


# A stored document or attachment: the sniffed type it was stored as.
STORED_FILE = file_answer("The document (PDF, PNG or JPEG), as an attachment.", CONTENT_TYPES)


class ErrorOut(Schema):
    """An error: 400, 401, 403, 404."""

    detail: str


class ValidationErrorOut(Schema):
    """A request that failed validation: 422, one entry per problem."""

    detail: list[dict[str, Any]]


class CaseFilters(Schema):
    """Query parameters of the case list."""

    model_config = ConfigDict(extra="forbid")

    status: CaseStatus | None = None
    track: Track | None = None
    unit: str | None = Field(None, min_length=1, max_length=60, pattern=UNIT_CODE_PATTERN)
    q: str | None = Field(
        None,
        min_length=1,
        max_length=20,
        pattern=REFERENCE_PREFIX_PATTERN,
        description="Start of a case reference, e.g. EX-2026-",
    )
    cursor: Cursor = None
    limit: PageLimit = 25


class UnitOut(Schema):
    code: str
    name: str


def unit_out(unit: Unit | None) -> dict[str, str] | None:
    """Return ``unit`` as a ``UnitOut`` reads it (None for no unit)."""
    return None if unit is None else {"code": unit.code, "name": unit.name}


class CaseListItem(Schema):
    """A case in a list: no names, no CPR, no address."""

    reference: str
    status: CaseStatus
    track: Track
    unit: UnitOut
    institution: UnitOut | None
    opened_on: date
    closed_on: date | None


class CasePage(Schema):
    items: list[CaseListItem]
    next_cursor: str | None = Field(
        description="Pass as cursor for the next page; null at the end."
    )


class PersonOut(Schema):
    first_name: str
    last_name: str
    birth_date: date


class GangOut(Schema):
    group: str | None
    role: str
    since: date | None
    attachment: Attachment | None


def gang_out(person: Any) -> dict[str, Any]:
    """Return a person's gang affiliation as ``GangOut`` (the group by its name)."""
    return {
        "group": person.gang_group.name if person.gang_group else None,
        "role": person.gang_role,
        "since": person.gang_since,
        "attachment": person.attachment or None,
    }


class JournalEntryOut(Schema):
    id: int
    created_at: datetime
    author: str
    text: str
    corrects: int | None


class CaseDetail(CaseListItem):
    """A case with the parts of it the caller may see; absent parts are null."""

    parts: list[str] = Field(description="The parts of the case the caller may see.")
    person: PersonOut | None
    gang: GangOut | None
    threats: str | None
    journal: list[JournalEntryOut] | None = Field(description="Newest first, at most 100.")
    journal_more: bool = Field(description="True if older journal entries were left out.")


class MembershipOut(Schema):
    unit: UnitOut
    role: Role
    agency: str
    valid_from: date
    valid_to: date | None


class MeOut(Schema):
    email: str
    full_name: str
    memberships: list[MembershipOut]


# --- The exit process (issue 3): inquiry, consent, instruments, decisions, tasks ---------------
#
# Request bodies are strict pydantic models: unknown keys, wrong JSON types and values
# outside a list are a 422 before any service runs. Choice fields are the models' own
# TextChoices (non-strict only so a JSON string can name the member), dates are
# ISO "YYYY-MM-DD" strings, and text refuses what a database cannot store.

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
CPR_PATTERN = r"^[0-9]{6}-?[0-9]{4}$"
ID_MAX = limits.ID_MAX
# A row id in an operation's path ({application_id}, {session_id}, ...).
IdPath = Path(..., ge=1, le=ID_MAX)
VERSION_MAX = limits.VERSION_MAX
# A date of the limits' years (1900-2199), so the schema itself says which dates are possible.
# Months 01-12 and days 01-31 in the pattern too: generators that draw from the pattern (schema
# fuzzers) then rarely draw an impossible date that the format check has to filter out.
_ISO_DATE = re.compile(r"^(19[0-9]{2}|2[01][0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
DATE_SCHEMA: dict[str, Any] = {
    "type": "string",
    "format": "date",
    "pattern": _ISO_DATE.pattern,
    "formatMinimum": limits.FIRST_DAY.isoformat(),
    "formatMaximum": limits.LAST_DAY.isoformat(),
    "description": f"YYYY-MM-DD, from {limits.FIRST_DAY} to {limits.LAST_DAY}.",
}


def _iso_date(value: Any) -> date:
    """Accept a JSON string "YYYY-MM-DD" within the limits' dates only (no timestamps, no
    numbers, no year 0001 or 9999)."""
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            pass
        else:
            if limits.FIRST_DAY <= day <= limits.LAST_DAY:
                return day
    raise ValueError(limits.date_range_message())


def _storable(value: str) -> str:
    """Refuse text a database cannot store: NUL characters and lone surrogates."""
    if "\x00" in value:
        raise ValueError("Text cannot contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("Text must be valid Unicode.") from exc
    return value


IsoDate = Annotated[date, PlainValidator(_iso_date), WithJsonSchema(DATE_SCHEMA)]
Name = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_storable)]
ShortText = Annotated[str, Field(max_length=1000), AfterValidator(_storable)]
LongText = Annotated[str, Field(max_length=10000), AfterValidator(_storable)]
RequiredText = Annotated[str, Field(min_length=1, max_length=10000), AfterValidator(_storable)]
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=SLUG_PATTERN)]
ExpectedVersion = Annotated[
    int,
    Field(
        ge=1,
        le=VERSION_MAX,
        description="The case version you acted on (from the process overview): "
        "if the case changed since, the answer is 409.",
    ),
]


class InstrumentKind(StrEnum):
    """The three assessment instruments (visitation)."""

    TARGET_GROUP = "target_group"
    MOTIVATION = "motivation"
    SUITABILITY = "suitability"


def _whole_numbers(value: Any) -> Any:
    """Return ``value`` with every float of integral value (1183.0) as the int it equals."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    return value


class StrictBody(BaseModel):
    """A request body: unknown keys and wrong JSON types are refused (422).

    A JSON number with an integral value (``1183.0``) is the integer it equals, as JSON
    Schema's "integer" says (vejud.core.limits); a fraction is refused.
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    @model_validator(mode="before")
    @classmethod
    def _integral_floats(cls, data: Any) -> Any:
        return _whole_numbers(data)


class EarlierCaseOut(Schema):
    reference: str
    status: CaseStatus
    unit: UnitOut
    opened_on: date


class DuplicateOut(Schema):
    """409 on an inquiry: a person like this is registered (earlier cases you may see)."""

    detail: str
    code: str
    earlier_cases: list[EarlierCaseOut]


class ConflictOut(Schema):
    """409: the case or application changed meanwhile, or the request clashes with what is
    registered (a duplicate, a second open case, a year that exists, a decided application).
    ``code`` names the conflict; ``earlier_cases`` lists the person's open case on a second
    opening, only if you may see it."""

    detail: str
    code: str | None = None
    earlier_cases: list[EarlierCaseOut] | None = None


class InquiryIn(StrictBody):
    """Henvendelse: who, where from, and where it is routed."""

    first_name: Name
    last_name: Name
    birth_date: IsoDate | None = Field(None, description="Needed when no CPR number is given.")
    cpr: str | None = Field(
        None,
        pattern=CPR_PATTERN,
        description="ddmmyy-ssss. Only used to find an earlier registration; never returned.",
    )
    phone: Annotated[str, Field(max_length=30), AfterValidator(_storable)] = ""
    source: Annotated[InquirySource, Strict(False)]
    channel: Annotated[InquiryChannel, Strict(False)]
    received_on: IsoDate
    municipality: (
        Annotated[int, Field(ge=1, le=ID_MAX)]
        | Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_storable)]
        | None
    ) = Field(None, description="Name or id; routes the inquiry to the district's exit unit.")
    in_custody: bool = False
    institution: str | None = Field(
        None,
        min_length=1,
        max_length=60,
        pattern=UNIT_CODE_PATTERN,
        description="Unit code of the institution, when the person is deprived of liberty.",
    )
    note: LongText = ""
    confirm_new_person: bool = Field(
        False,
        description="Register a new person although one with the same name and birth date exists.",
    )


class CaseStateOut(Schema):
    """Where a case stands after a change: pass ``version`` as expected_version next time."""

    reference: str
    status: CaseStatus
    version: int


class InquiryCaseOut(CaseStateOut):
    track: Track
    institution: UnitOut | None
    opened_on: date
    assessment_due_on: date | None


class InquiryOut(Schema):
    """201: the registered case; ``case`` is null when it was routed out of your sight."""

    reference: str
    unit: UnitOut
    visible: bool = Field(description="Whether you can open the case.")
    case: InquiryCaseOut | None


class ConsentIn(StrictBody):
    """Samtykkeerklæring: which agencies may share what, from when."""

    given_on: IsoDate
    method: Annotated[ConsentMethod, Strict(False)]
    agencies: list[Annotated[ConsentAgency, Strict(False)]] = Field(min_length=1, max_length=10)
    topics: list[Annotated[ConsentTopic, Strict(False)]] = Field(min_length=1, max_length=10)
    valid_until: IsoDate | None = None


class ConsentWithdrawalIn(StrictBody):
    withdrawn_on: IsoDate
    note: RequiredText


class ConsentOut(Schema):
    id: int
    given_on: date
    method: ConsentMethod
    agencies: list[str]
    topics: list[str]
    valid_until: date | None
    in_force: bool
    recorded_by: UserName
    recorded_at: datetime
    withdrawn_on: date | None
    withdrawal_note: str

    @staticmethod
    def resolve_in_force(obj: Any) -> bool:
        return bool(obj.is_valid_on(timezone.localdate()))


class TransitionIn(StrictBody):
    """A plain transition (start assessment, withdrawn, dropped, close); decisions have their own."""

    target: Annotated[CaseStatus, Strict(False)]
    reason: LongText = ""
    expected_version: ExpectedVersion


class CriterionAnswerIn(StrictBody):
    met: bool | None = None
    note: ShortText = ""


class TargetGroupDraftIn(StrictBody):
    """Målgruppe draft: an answer per criterion of the criteria version used."""

    criteria_version: Annotated[int, Field(ge=1, le=ID_MAX)] | None = Field(
        None, description="Id of the criteria version; default: the draft's, else the one in force."
    )
    # Keys that are no code are refused (422): the schema says so (no other property).
    answers: dict[Code, CriterionAnswerIn] = Field(
        default_factory=dict, max_length=50, json_schema_extra={"additionalProperties": False}
    )
    reasoning: LongText = ""


class MotivationDraftIn(StrictBody):
    """Motivation draft: (I) factors, (II) own explanation, (III) help wished, (IV) fear."""

    push_factors: list[Code] = Field(default_factory=list, max_length=30)
    pull_factors: list[Code] = Field(default_factory=list, max_length=30)
    factors_note: LongText = ""
    own_explanation: LongText = ""
    help_wishes: list[Code] = Field(default_factory=list, max_length=30)
    help_note: LongText = ""
    fear_borne: bool = False
    fear_note: LongText = ""
    motivation_kind: Annotated[MotivationKind, Strict(False)] | None = None
    parole_only_motive: bool = Field(False, description="Custody cases only.")
    level: Annotated[int, Field(ge=1, le=5)] | None = None
    reasoning: LongText = ""


class GangAffiliationIn(StrictBody):
    """The person's gang affiliation, all of it (a field left out is cleared)."""

    group: Annotated[str, Field(min_length=1, max_length=120)] | None = Field(
        None,
        description="The group's name on the reference list of biker groups and gangs "
        "(as the case's gang.group shows it); null: no group known.",
    )
    role: Annotated[str, Field(max_length=120), AfterValidator(_storable)] = ""
    since: IsoDate | None = None
    attachment: Annotated[Attachment, Strict(False)] | None = None


DegreeRating = Annotated[int, Field(ge=1, le=4, description="1 not at all … 4 to a high degree")]


class SuitabilityDraftIn(StrictBody):
    """Egnethed draft: the four criteria, each rated 1-4 with reasoning, and the judgement."""

    leaving_clarity: DegreeRating | None = None
    leaving_clarity_reasoning: LongText = ""
    lifestyle_clarity: DegreeRating | None = None
    lifestyle_clarity_reasoning: LongText = ""
    steps_taken: DegreeRating | None = None
    steps_taken_reasoning: LongText = ""
    will_and_ability: DegreeRating | None = None
    will_and_ability_reasoning: LongText = ""
    judgement: Annotated[SuitabilityJudgement, Strict(False)] | None = None
    reasoning: LongText = ""


class CorrectionIn(StrictBody):
    reason: RequiredText


class UnitDecisionIn(StrictBody):
    outcome: Literal["admit", "refuse"]
    grounds: list[Annotated[RefusalGround, Strict(False)]] = Field(
        default_factory=list, max_length=3, description="Required for a refusal, empty for admit."
    )
    reasoning: RequiredText
    expected_version: ExpectedVersion


class ReferralIn(StrictBody):
    requested_by_person: bool = True
    note: LongText = ""
    expected_version: ExpectedVersion


class InformationRequestIn(StrictBody):
    question: RequiredText


class InformationAnswerIn(StrictBody):
    answer: RequiredText


class FinalDecisionIn(StrictBody):
    outcome: Literal["uphold", "overturn"] = Field(
        description="uphold the refusal, or overturn it: admit and return the case to the unit."
    )
    reasoning: RequiredText
    expected_version: ExpectedVersion


class VersionSummaryOut(Schema):
    """One version of an instrument, without its content."""

    # Read from the instrument (the resolvers below).

    id: int
    version: int
    signed: bool
    signed_at: datetime | None
    signed_by: OptionalUserName
    created_by: UserName
    created_at: datetime
    supersedes_version: int | None
    correction_reason: str

    @staticmethod
    def resolve_signed(obj: Any) -> bool:
        return obj.signed_at is not None

    @staticmethod
    def resolve_supersedes_version(obj: Any) -> int | None:
        return obj.supersedes.version if obj.supersedes_id else None


class LabelText(Schema):
    """Gives ``label`` as text: the object's label is a (lazy) translation."""

    @staticmethod
    def resolve_label(obj: Any) -> str:
        return str(obj.label)


class InstrumentStateOut(LabelText):
    kind: str
    label: str
    latest: VersionSummaryOut | None
    signed: VersionSummaryOut | None = Field(description="The newest signed version.")
    draft: VersionSummaryOut | None
    versions: list[VersionSummaryOut] = Field(description="Newest first.")


class DecisionOut(Schema):
    id: int
    level: DecisionLevel
    outcome: DecisionOutcome
    grounds: list[str]
    reasoning: str
    decided_by: UserName
    decided_at: datetime
    rests_on: dict[str, int | None] = Field(
        description="The signed instrument version per kind the decision rests on."
    )

    @staticmethod
    def resolve_rests_on(obj: Any) -> dict[str, int | None]:
        return {
            kind: getattr(obj, kind).version if getattr(obj, f"{kind}_id") else None
            for kind in ("target_group", "motivation", "suitability")
        }


class ReferralOut(Schema):
    id: int
    requested_by_person: bool
    note: str
    referred_by: UserName
    referred_at: datetime
    due_on: date
    overdue: bool
    decided: bool

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        return obj.final_decision_id is None and obj.due_on < timezone.localdate()

    @staticmethod
    def resolve_decided(obj: Any) -> bool:
        return obj.final_decision_id is not None


class InformationRequestOut(Schema):
    id: int
    question: str
    asked_by: UserName
    asked_at: datetime
    answer: str
    answered_by: OptionalUserName
    answered_at: datetime | None


class StageOut(LabelText):
    code: str
    label: str
    state: Literal["done", "current", "todo"]


class DeadlineOut(Schema):
    label: str
    due_on: date
    overdue: bool


class TransitionOut(LabelText):
    target: CaseStatus
    label: str
    reason_required: bool


class ActionsOut(Schema):
    """The process actions the caller may take on the case right now."""

    consent: bool
    assess: bool
    decide: bool
    refer: bool
    ask_information: bool
    answer_information: bool
    final_decide: bool
    letters: bool


class ProcessOut(Schema):
    """Where the case is in the exit process, and what the caller may do next."""

    # Read from the process overview (decisions.selectors.ProcessOverview) and its case.

    reference: str = Field(alias="case.reference")
    status: CaseStatus = Field(alias="case.status")
    status_label: str = Field(alias="case.get_status_display")
    track: Track = Field(alias="case.track")
    version: int = Field(
        description="Pass as expected_version with a change.", alias="case.version"
    )
    unit: UnitOut = Field(alias="case.responsible_unit")
    stage: str
    stages: list[StageOut]
    missing: list[str] = Field(description="What is missing before the next step.")
    deadline: DeadlineOut | None
    consent_in_force: bool
    consent: ConsentOut | None = Field(description="The newest consent in force.")
    consents: list[ConsentOut]
    instruments: list[InstrumentStateOut]
    decisions: list[DecisionOut]
    referral: ReferralOut | None
    information_requests: list[InformationRequestOut]
    actions: ActionsOut
    transitions: list[TransitionOut] = Field(description="Plain transitions you may make now.")

    @staticmethod
    def resolve_stage(obj: Any) -> str:
        return next((s.code for s in obj.stages if s.state == "current"), "")

    @staticmethod
    def resolve_deadline(obj: Any) -> dict[str, Any] | None:
        if obj.deadline is None:
            return None
        label = str(obj.deadline_label or "")
        return {"label": label, "due_on": obj.deadline, "overdue": obj.overdue}

    @staticmethod
    def resolve_consent_in_force(obj: Any) -> bool:
        return obj.consent is not None

    @staticmethod
    def resolve_actions(obj: Any) -> dict[str, bool]:
        return dict(obj.actions)


class CriteriaRefOut(Schema):
    id: int
    label: str
    programme: str = Field(alias="programme.name")


class CriterionAnswerOut(Schema):
    met: bool | None
    note: str
    auto: bool


class _VersionOut(VersionSummaryOut):
    """A version with its content, read from the instrument (its model names its kind)."""

    updated_at: datetime


class TargetGroupVersionOut(_VersionOut):
    kind: Literal["target_group"]
    criteria_version: CriteriaRefOut
    answers: dict[str, CriterionAnswerOut]
    within_target_group: bool | None
    reasoning: str

    @staticmethod
    def resolve_answers(obj: Any) -> dict[str, dict[str, Any]]:
        return {
            str(code): {
                "met": answer.get("met"),
                "note": str(answer.get("note", "")),
                "auto": bool(answer.get("auto", False)),
            }
            for code, answer in (obj.answers or {}).items()
            if isinstance(answer, dict)
        }


class MotivationVersionOut(_VersionOut):
    kind: Literal["motivation"]
    push_factors: list[str]
    pull_factors: list[str]
    factors_note: str
    own_explanation: str
    help_wishes: list[str]
    help_note: str
    fear_borne: bool
    fear_note: str
    fear_only: bool = Field(description="Fear is the only factor: fear alone cannot carry an exit.")
    motivation_kind: Annotated[MotivationKind | None, BlankAsNone]
    parole_only_motive: bool
    level: int | None
    reasoning: str


class SuitabilityVersionOut(_VersionOut):
    kind: Literal["suitability"]
    leaving_clarity: int | None
    leaving_clarity_reasoning: str
    lifestyle_clarity: int | None
    lifestyle_clarity_reasoning: str
    steps_taken: int | None
    steps_taken_reasoning: str
    will_and_ability: int | None
    will_and_ability_reasoning: str
    judgement: Annotated[SuitabilityJudgement | None, BlankAsNone]
    reasoning: str


InstrumentVersionOut = Annotated[
    TargetGroupVersionOut | MotivationVersionOut | SuitabilityVersionOut,
    Field(discriminator="kind"),
]


class CriterionOut(Schema):
    code: str
    text: str
    auto_met: bool | None = Field(
        description="Evaluated from the case (age, attachment, environment)."
    )


class CriteriaVersionOut(Schema):
    id: int
    label: str
    programme: str
    valid_from: date
    valid_to: date | None
    default: bool = Field(description="Used when a draft names no criteria version.")
    criteria: list[CriterionOut]


class ChoiceOut(Schema):
    code: str
    name: str
    group: str = Field(description="push or pull for motivation factors; empty for offers.")
    fear: bool = False


class AssessmentOut(Schema):
    """All versions of one instrument on the case, newest first, and what a draft may use."""

    kind: str
    label: str
    versions: list[InstrumentVersionOut]
    criteria_versions: list[CriteriaVersionOut] = Field(description="Target group only.")
    factors: list[ChoiceOut] = Field(description="Motivation only: push and pull factors.")
    offers: list[ChoiceOut] = Field(description="Motivation only: help that can be wished for.")


class DecisionResultOut(Schema):
    decision: DecisionOut
    case: CaseStateOut


class ReferralResultOut(Schema):
    referral: ReferralOut
    case: CaseStateOut


class TaskOut(Schema):
    kind: str
    label: str
    reference: str = Field(
        description="The case's reference; for a task that is not about a case, what it is "
        "about (a public inquiry's code, an advice request)."
    )
    status: CaseStatus | None = Field(
        description="The case's status; null for a task that is not about a case's own step "
        "(a public inquiry, an advice request)."
    )
    status_label: str = Field(
        description="The status shown with the task: the case's, or that of what the task is "
        "about (the inquiry, the advice request, the review)."
    )
    detail: str = Field(description="Which one, where a case can have several of the kind.")
    due_on: date | None
    overdue: bool


class TaskListOut(Schema):
    items: list[TaskOut] = Field(description="Overdue first, then by due date.")
    overdue: int
