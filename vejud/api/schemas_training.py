"""Request and response shapes of the training API (issue 16).

Conventions as in ``vejud.api.schemas``: strict request bodies (unknown keys and wrong JSON
types are 422), the models' own choices, ISO dates and aware datetimes (UTC offset given).
A registration names its participant by name and e-mail: staff, never a case's person.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, Field, Strict

from vejud.accounts.models import Role
from vejud.api.schemas import (
    ID_MAX,
    SLUG_PATTERN,
    IsoDate,
    LongText,
    StrictBody,
    UnitOut,
    UserName,
    _storable,
)
from vejud.organisations.models import Agency
from vejud.training.models import CourseKind, RegistrationStatus, SessionStatus

Email = Annotated[
    str,
    Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$"),
    AfterValidator(_storable),
]
KindIn = Annotated[CourseKind, Strict(False)]
AgencyIn = Annotated[Agency, Strict(False)]
RoleIn = Annotated[Role, Strict(False)]
StatusIn = Annotated[SessionStatus, Strict(False)]
Text200 = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_storable)]
ClockTime = Annotated[
    str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="HH:MM, Copenhagen time.")
]

Id = Annotated[int, Field(ge=1, le=ID_MAX)]


class TrainingCourseOut(Schema):
    id: int
    code: str
    kind: CourseKind
    title: str
    description: str
    target_agencies: list[str]
    target_roles: list[str]
    duration_days: int
    prerequisite_id: int | None
    required_for_roles: list[str]
    validity_months: int | None


class TrainingCourseListOut(Schema):
    items: list[TrainingCourseOut]


class TrainingDayOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime


class TrainingQuotaOut(Schema):
    agency: Agency | None = None
    district: str | None = None
    seats: int
    seats_taken: int

    @staticmethod
    def resolve_agency(obj: Any) -> str | None:
        return obj.agency or None

    @staticmethod
    def resolve_district(obj: Any) -> str | None:
        return obj.district.name if obj.district_id else None


class TrainingSessionOut(Schema):
    id: int
    course_id: int
    course_title: str = Field(alias="course.title")
    place: str
    online: bool
    capacity: int
    seats_taken: int
    seats_free: int
    registration_deadline: datetime
    status: SessionStatus
    days: list[TrainingDayOut]

    @staticmethod
    def resolve_days(obj: Any) -> list[Any]:
        return list(obj.days.all())


class TrainingSessionDetailOut(TrainingSessionOut):
    quotas: list[TrainingQuotaOut]
    teachers: list[str]

    @staticmethod
    def resolve_quotas(obj: Any) -> list[Any]:
        return list(obj.quotas.all())

    @staticmethod
    def resolve_teachers(obj: Any) -> list[str]:
        return [t.full_name for t in obj.teachers.all()]


class TrainingSessionListOut(Schema):
    items: list[TrainingSessionOut]


class TrainingRegistrationOut(Schema):
    id: int
    session_id: int
    participant: UserName = Field(alias="user.full_name")
    participant_email: str = Field(alias="user.email")
    unit: UnitOut
    agency: Agency
    status: RegistrationStatus
    cancel_reason: str | None
    registered_at: datetime = Field(alias="created_at")
    offer_expires_at: datetime | None

    @staticmethod
    def resolve_cancel_reason(obj: Any) -> str | None:
        return obj.cancel_reason or None


class TrainingRegistrationListOut(Schema):
    items: list[TrainingRegistrationOut]


class TrainingRegistrationIn(StrictBody):
    """Register yourself (no participant) or, as a coordinator or the national contact point,
    one of your staff by e-mail. ``waitlist`` false: refuse (409) instead of the waiting list."""

    participant_email: Email | None = None
    waitlist: bool = True


class TrainingCheckInIn(StrictBody):
    registration_id: Id
    day_id: Id


class TrainingAttendanceRowOut(Schema):
    registration: TrainingRegistrationOut
    days_present: list[int]


class TrainingAttendanceOut(Schema):
    session_id: int
    days: list[TrainingDayOut]
    rows: list[TrainingAttendanceRowOut]


class TrainingCountsOut(Schema):
    label: str
    staff: int
    trained: int
    expired: int
    missing: int


class TrainingAttentionOut(Schema):
    name: str
    unit: str
    state: str
    valid_until: date | None


class TrainingCourseCoverageOut(Schema):
    course_id: int
    course_title: str
    total: TrainingCountsOut
    by_agency: list[TrainingCountsOut]
    by_district: list[TrainingCountsOut]
    by_unit: list[TrainingCountsOut]
    attention: list[TrainingAttentionOut] | None


class TrainingCoverageOut(Schema):
    all_units: bool
    names: bool
    items: list[TrainingCourseCoverageOut]


class TrainingCourseIn(StrictBody):
    """A course or theme day for the catalogue (the national contact point)."""

    code: Annotated[str, Field(min_length=1, max_length=60, pattern=SLUG_PATTERN)]
    kind: KindIn
    title: Text200
    description: LongText = ""
    target_agencies: Annotated[list[AgencyIn], Field(max_length=4)] = []
    target_roles: Annotated[list[RoleIn], Field(max_length=10)] = []
    duration_days: Annotated[int, Field(ge=1, le=30)] = 1
    prerequisite_id: Id | None = None
    required_for_roles: Annotated[list[RoleIn], Field(max_length=10)] = []
    validity_months: Annotated[int, Field(ge=1, le=240)] | None = None


class TrainingDayIn(StrictBody):
    on: IsoDate
    starts: ClockTime
    ends: ClockTime


class TrainingQuotaIn(StrictBody):
    """Seats set aside for one agency or one police district (by its code), not both."""

    agency: AgencyIn | None = None
    district_code: (
        Annotated[str, Field(min_length=1, max_length=40, pattern=SLUG_PATTERN)] | None
    ) = None
    seats: Annotated[int, Field(ge=0, le=10000)]


class TrainingSessionIn(StrictBody):
    """A session of a course: its days (Copenhagen time), place, capacity, quotas, the last
    day of registration and the teachers (by e-mail)."""

    course_id: Id
    place: Text200
    online: bool = False
    capacity: Annotated[int, Field(ge=1, le=10000)]
    registration_deadline: IsoDate
    days: Annotated[list[TrainingDayIn], Field(min_length=1, max_length=30)]
    quotas: Annotated[list[TrainingQuotaIn], Field(max_length=20)] = []
    teacher_emails: Annotated[list[Email], Field(max_length=20)] = []
    status: StatusIn = SessionStatus.OPEN


class TrainingSessionStatusIn(StrictBody):
    status: StatusIn
