"""Follow-up (opfølgning) through the API: reviews, the next due date, early warnings.

Same services and gate as the follow-up pages (``vejud.followup.views``): casework, the
journal part of the case (a mentor gets 404). Reads are access-logged with channel "api".
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone
from ninja import Path, Router, Status

from vejud.access.casework import may_act
from vejud.access.rules import Part
from vejud.api.auth import api_user
from vejud.api.gates import CaseGate, case_access_of
from vejud.api.operations import Operation, register
from vejud.api.routers.course import log_case_read
from vejud.api.routers.process import READ_ERRORS, WRITE_ERRORS
from vejud.api.schemas import REFERENCE_PATTERN
from vejud.api.schemas_course import (
    ReviewIn,
    ReviewOut,
    ReviewsOut,
    WarningOut,
    WarningResolutionIn,
)
from vejud.cases.models import Case, CaseStatus
from vejud.cases.states import Actor
from vejud.followup.actions import WARNING_RESOLVE
from vejud.followup.models import EarlyWarning, Review
from vejud.followup.services import review_due_on, review_record

router = Router(tags=["followup"])

CASEWORK = CaseGate(part=Part.JOURNAL)
BASE = "/cases/{reference}"


def _reviews(case: Case) -> Any:
    return (
        Review.objects.filter(case=case)
        .select_related("created_by")
        .prefetch_related(
            "risk_events",
            Prefetch("warnings", queryset=EarlyWarning.objects.select_related("resolved_by")),
        )
        .order_by("-reviewed_on", "-id")
    )


def _next_due(case: Case, last: Review | None) -> date | None:
    if case.status != CaseStatus.ADMITTED:
        return None
    try:
        return review_due_on(case, last)
    except OverflowError:  # a course start at the end of the calendar
        return None


@router.get(
    BASE + "/reviews",
    auth=CASEWORK.auth,
    openapi_extra=CASEWORK.policy,
    response={200: ReviewsOut, **READ_ERRORS},
    operation_id="reviews",
    summary="Show the follow-up reviews, the next due date and open early warnings",
)
def reviews(request: HttpRequest, reference: str = Path(..., pattern=REFERENCE_PATTERN)) -> Any:
    """Return every review (newest first) with its risk events and warnings (the view is logged)."""
    access = case_access_of(request)
    case = access.case
    items = list(_reviews(case))
    due = _next_due(case, items[0] if items else None)
    open_warnings = sorted(
        (w for r in items for w in r.warnings.all() if w.resolved_at is None),
        key=lambda w: (w.raised_at, w.pk),
    )
    log_case_read(request, access, "followup")
    return {
        "reference": case.reference,
        "next_due_on": due,
        "overdue": due is not None and due < timezone.localdate(),
        "reviews": items,
        "open_warnings": open_warnings,
        "can_record": case.status == CaseStatus.ADMITTED
        and may_act(api_user(request), case, Actor.CASEWORKER),
    }


@router.post(
    BASE + "/reviews",
    auth=CASEWORK.auth,
    openapi_extra=CASEWORK.policy,
    response={201: ReviewOut, **WRITE_ERRORS},
    operation_id="review_record",
    summary="Record a follow-up review",
)
def review_new(
    request: HttpRequest,
    payload: ReviewIn,
    reference: str = Path(..., pattern=REFERENCE_PATTERN),
) -> Status[Any]:
    """Record the four changes, the motivation level and risk events. The answer lists the
    early warnings the review raised (a motivation dip, stalled progress, a risk event)."""
    case = case_access_of(request).case
    changes = ("crime_stopped", "environment_left", "lifestyle_changed", "custody_behaviour")
    review = review_record(
        actor=api_user(request),
        case=case,
        reviewed_on=payload.reviewed_on,
        crime_stopped=payload.crime_stopped,
        environment_left=payload.environment_left,
        lifestyle_changed=payload.lifestyle_changed,
        custody_behaviour=payload.custody_behaviour,
        motivation_level=payload.motivation_level,
        evidence={c: getattr(payload, f"{c}_evidence") for c in changes},
        risk_events=[
            {"kind": e.kind.value, "occurred_on": e.occurred_on, "note": e.note}
            for e in payload.risk_events
        ],
        note=payload.note,
    )
    return Status(201, _reviews(case).get(pk=review.pk))


register(
    router,
    Operation(
        WARNING_RESOLVE,
        "/warnings/{warning_id}/resolution",
        WarningResolutionIn,
        WarningOut,
        lambda warning: warning,
        "Record what was done about an early warning",
        "warning_resolve",
        status=200,
    ),
)
