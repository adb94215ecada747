"""Request and response shapes of the advice API (issue 15).

Conventions as in ``vejud.api.schemas``: strict request bodies, the models' own choices, aware
datetimes. The advisers' internal notes are a field only the advisers' answer carries.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field, Strict

from vejud.advice.models import AdviceStatus, Judgement, Topic, Urgency
from vejud.api.schemas import ID_MAX, LongText, RequiredText, StrictBody, UnitOut, UserName

TopicIn = Annotated[Topic, Strict(False)]
UrgencyIn = Annotated[Urgency, Strict(False)]
JudgementIn = Annotated[Judgement | None, Strict(False)]


class AdviceRequestIn(StrictBody):
    """Ask on behalf of ``unit_code``: a general question, or about the case ``case_reference``
    with the chosen parts attached (journal notes by id) for ``access_days``."""

    unit_code: Annotated[str, Field(min_length=1, max_length=40)]
    topic: TopicIn
    question: RequiredText
    urgency: UrgencyIn = Urgency.NORMAL
    urgency_reason: LongText = ""
    case_reference: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    attach_instruments: bool = False
    attach_plan: bool = False
    attach_followup: bool = False
    journal_entry_ids: Annotated[
        list[Annotated[int, Field(ge=1, le=ID_MAX)]], Field(max_length=200)
    ] = []
    access_days: Annotated[int, Field(ge=1, le=365)] | None = None


class AdviceTextIn(StrictBody):
    text: RequiredText


class AdviceAnswerIn(StrictBody):
    text: RequiredText
    motivation: JudgementIn = None
    suitability: JudgementIn = None
    reasons: LongText = ""


class AdviceMessageOut(Schema):
    at: datetime
    author: UserName
    from_unit: bool
    is_answer: bool
    text: str
    motivation: str
    suitability: str
    reasons: str


class AdviceNoteOut(Schema):
    at: datetime
    author: UserName
    text: str


class AdviceRequestOut(Schema):
    id: int
    unit: UnitOut
    topic: Topic
    urgency: Urgency
    status: AdviceStatus
    question: str
    case_reference: str | None
    access_until: datetime | None
    created_at: datetime
    first_response_at: datetime | None
    answered_at: datetime | None


class AdviceRequestListOut(Schema):
    items: list[AdviceRequestOut]


class AdviceThreadOut(AdviceRequestOut):
    messages: list[AdviceMessageOut]
    internal_notes: list[AdviceNoteOut] | None = None


class AdviceAssignIn(StrictBody):
    adviser_id: Annotated[int, Field(ge=1, le=ID_MAX)]


class AdviceAccessIn(StrictBody):
    """Days from now the advisers see the attached parts; 0 ends the access now."""

    days: Annotated[int, Field(ge=0, le=365)]


class AdviceInstrumentOut(Schema):
    kind: str
    signed_at: datetime | None
    reasoning: str


class AdviceActionOut(Schema):
    description: str
    status: str
    deadline: date


class AdviceGoalOut(Schema):
    life_area: str
    goal: str
    actions: list[AdviceActionOut]


class AdviceReviewOut(Schema):
    reviewed_on: date
    motivation_level: int
    note: str


class AdviceJournalOut(Schema):
    created_at: datetime
    text: str


class AdvicePartsOut(Schema):
    """Only what the unit attached: the other lists are null."""

    case_reference: str
    access_until: datetime
    instruments: list[AdviceInstrumentOut] | None = None
    plan: list[AdviceGoalOut] | None = None
    followup: list[AdviceReviewOut] | None = None
    journal: list[AdviceJournalOut] | None = None
