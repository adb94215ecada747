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
from ninja import Router

from vejud.actions.declare import plain
from vejud.api.auth import api_user
from vejud.api.gates import CASEWORK, case_access_of, log_case_read
from vejud.api.operations import READ_ERRORS, Operation, register
from vejud.api.schemas import ReferencePath
from vejud.api.schemas_course import (
    ReviewIn,
    ReviewOut,
    ReviewsOut,
    WarningOut,
    WarningResolutionIn,
)
from vejud.cases.models import Case, CaseStatus
from vejud.followup.actions import REVIEW_RECORD, WARNING_RESOLVE
from vejud.followup.models import CHANGES, EarlyWarning, Review
from vejud.followup.services import review_due_on

router = Router(tags=["followup"])

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


@CASEWORK.route(
    router.get,
    BASE + "/reviews",
    {200: ReviewsOut, **READ_ERRORS},
    "reviews",
    "Show the follow-up reviews, the next due date and open early warnings",
)
def reviews(request: HttpRequest, reference: str = ReferencePath) -> Any:
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
        "can_record": REVIEW_RECORD.possible(api_user(request), case),
    }


def _review_fields(case: Case, target: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The body as ``review_record``'s arguments: the evidence per change, the risk events."""
    data["evidence"] = {c: data.pop(f"{c}_evidence") for c in CHANGES}
    data["risk_events"] = [{**e, "kind": plain(e["kind"])} for e in data["risk_events"]]
    return data


register(
    router,
    Operation(
        REVIEW_RECORD,
        "/reviews",
        ReviewIn,
        ReviewOut,
        lambda review: _reviews(review.case).get(pk=review.pk),
        "Record a follow-up review",
        "review_record",
        prepare=_review_fields,
    ),
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
