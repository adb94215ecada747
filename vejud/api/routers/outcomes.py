"""Outcomes after the course through the API: a case's points with the next due, recording one.

Same service, action and gate as the page (``vejud.outcomes``): the case's caseworkers, the
journal part of the case (a mentor gets 404). Reads are access-logged with channel "api".
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from vejud.api.auth import api_user
from vejud.api.gates import CASEWORK, case_access_of, log_case_read
from vejud.api.operations import READ_ERRORS, Operation, register
from vejud.api.schemas import ReferencePath, UserName
from vejud.outcomes.actions import OUTCOME_RECORD
from vejud.outcomes.forms import ACCOUNT_MAX
from vejud.outcomes.models import Answer, CaseOutcome
from vejud.outcomes.selectors import case_points

router = Router(tags=["outcomes"])

BASE = "/cases/{reference}"


class OutcomeIn(Schema):
    months: Annotated[int, Field(ge=1, le=600)]
    reregistered: Answer
    new_charges: Answer
    consented: bool = False
    consented_on: date | None = None
    account: Annotated[str, Field(max_length=ACCOUNT_MAX)] = ""


class OutcomeOut(Schema):
    id: int
    months: int
    course_ended_on: date
    due_on: date
    reregistered: Answer
    new_charges: Answer
    consented: bool
    consented_on: date | None
    account: str
    recorded_by: UserName
    recorded_at: datetime


class PointOut(Schema):
    months: int
    due_on: date
    recorded: bool


class OutcomesOut(Schema):
    reference: str
    course_ended_on: date | None
    next_due_on: date | None
    points: list[PointOut]
    outcomes: list[OutcomeOut]
    can_record: bool


@CASEWORK.route(
    router.get,
    BASE + "/outcomes",
    {200: OutcomesOut, **READ_ERRORS},
    "outcomes",
    "Show the outcomes after the course and the next due point",
)
def outcomes(request: HttpRequest, reference: str = ReferencePath) -> Any:
    """Every point after the course, recorded or not, with the outcomes (the view is logged)."""
    access = case_access_of(request)
    case = access.case
    ended, points = case_points(case)
    log_case_read(request, access, "outcomes")
    return {
        "reference": case.reference,
        "course_ended_on": ended,
        "next_due_on": case.outcome_due_on,
        "points": [
            {"months": p.months, "due_on": p.due_on, "recorded": p.outcome is not None}
            for p in points
        ],
        "outcomes": [p.outcome for p in points if p.outcome is not None],
        "can_record": OUTCOME_RECORD.possible(api_user(request), case),
    }


register(
    router,
    Operation(
        OUTCOME_RECORD,
        "/outcomes",
        OutcomeIn,
        OutcomeOut,
        lambda outcome: CaseOutcome.objects.select_related("recorded_by").get(pk=outcome.pk),
        "Record the outcome at a point after the course",
        "outcome_record",
        description=(
            "Once per point, and only a point that has come (422 before, 409 when recorded "
            "already). The person's own account only with ``consented`` and ``consented_on``."
        ),
    ),
)
