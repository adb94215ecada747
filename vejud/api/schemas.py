"""Request and response shapes of the API.

List items never carry a name, a CPR number or an address. The protected
address has no field anywhere in the API. Query parameters are constrained
(patterns, lengths, ranges) so bad input is a 422, never a database error.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from vejud.accounts.models import Role
from vejud.cases.models import CaseStatus, Track
from vejud.people.models import Attachment

UNIT_CODE_PATTERN = r"^[-a-zA-Z0-9_]+$"
REFERENCE_PREFIX_PATTERN = r"^[-a-zA-Z0-9]+$"
REFERENCE_PATTERN = r"^EX-[0-9]{4}-[0-9]{5}$"
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"


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
    cursor: str | None = Field(
        None, min_length=1, max_length=40, pattern=CURSOR_PATTERN, description="From next_cursor."
    )
    limit: int = Field(25, ge=1, le=100)


class UnitOut(Schema):
    code: str
    name: str


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
