"""``{% followup_panel access %}``: reviews, early warnings and the motivation chart on the case page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import template
from django.db.models import Count, Q, prefetch_related_objects
from django.utils import timezone

from vejud.access.casework import may_act
from vejud.access.rules import Part
from vejud.accounts.models import User
from vejud.actions.declare import possible_now
from vejud.assessments.selectors import signed_motivation
from vejud.cases.models import Case, CaseStatus
from vejud.cases.states import Actor
from vejud.followup.actions import WARNING_RESOLVE
from vejud.followup.forms import EVIDENCE_FIELDS
from vejud.followup.models import CHANGES, EarlyWarning, Review
from vejud.followup.services import review_due_on

register = template.Library()

FOLLOWUP_STATUSES = frozenset({CaseStatus.ADMITTED, CaseStatus.CLOSED})
REVIEWS_SHOWN = 10
RESOLVED_SHOWN = 5


@dataclass(frozen=True)
class Change:
    label: str
    rating: str
    evidence: str


@dataclass
class FollowupOverview:
    """What the follow-up panel shows of one case."""

    case: Case
    can_review: bool
    can_resolve: bool
    due_on: date | None
    overdue: bool
    baseline: int | None
    open_warnings: list[EarlyWarning]
    resolved_warnings: list[EarlyWarning]
    latest: list[Review]
    review_count: int
    rows: list[Review] = field(default_factory=list)  # chronological, for the chart's table


def progress_scaled(review: Review) -> float:
    """Return the progress as the chart plots it: the ratings' sum scaled to 0-5."""
    return round(review.progress_total() * 5 / progress_max(review), 2)


def progress_max(review: Review) -> int:
    return 12 if review.custody_behaviour is not None else 9


def review_changes(review: Review) -> list[Change]:
    """Return the rated changes of a review with their evidence (change 4 only when rated)."""
    changes = []
    for name in CHANGES:
        if getattr(review, name) is None:
            continue
        changes.append(
            Change(
                label=str(getattr(Review._meta.get_field(name), "verbose_name", name)),
                rating=getattr(review, f"get_{name}_display")(),
                evidence=getattr(review, EVIDENCE_FIELDS[name]),
            )
        )
    return changes


def followup_overview(case: Case, user: User) -> FollowupOverview:
    """Collect the follow-up panel in a fixed number of queries, however many reviews there are."""
    reviews: list[Review] = list(
        Review.objects.filter(case=case)
        .select_related("created_by")
        .annotate(risk_count=Count("risk_events"))
        .order_by("-reviewed_on", "-id")
    )
    latest = reviews[:REVIEWS_SHOWN]
    prefetch_related_objects(latest, "risk_events")
    for review in reviews:
        review.progress_scaled = progress_scaled(review)  # type: ignore[attr-defined]
        review.progress_max = progress_max(review)  # type: ignore[attr-defined]
    for review in latest:
        review.changes = review_changes(review)  # type: ignore[attr-defined]
    # One read of the warnings: the open ones, and the RESOLVED_SHOWN last resolved.
    resolved = EarlyWarning.objects.filter(case=case, resolved_at__isnull=False).order_by(
        "-resolved_at", "-id"
    )
    warnings = list(
        EarlyWarning.objects.filter(
            Q(resolved_at__isnull=True) | Q(pk__in=resolved.values("pk")[:RESOLVED_SHOWN]),
            case=case,
        ).select_related("review", "resolved_by")
    )
    signed = signed_motivation(case)
    admitted = case.status == CaseStatus.ADMITTED
    may_work = may_act(user, case, Actor.CASEWORKER)
    due_on = review_due_on(case, reviews[0] if reviews else None) if admitted else None
    return FollowupOverview(
        case=case,
        can_review=admitted and may_work,
        can_resolve=possible_now([WARNING_RESOLVE.name], user, case)[WARNING_RESOLVE.name],
        due_on=due_on,
        overdue=due_on is not None and due_on < timezone.localdate(),
        # baseline_motivation(case, None), from the assessment the course panel read
        baseline=signed.level if signed is not None else None,
        open_warnings=sorted(
            (w for w in warnings if w.resolved_at is None), key=lambda w: (w.raised_at, w.pk)
        ),
        resolved_warnings=sorted(
            (w for w in warnings if w.resolved_at is not None),
            key=lambda w: (w.resolved_at, w.pk),
            reverse=True,
        ),
        latest=latest,
        review_count=len(reviews),
        rows=reviews[::-1],
    )


@register.inclusion_tag("followup/_followup_panel.html", takes_context=True)
def followup_panel(context: Any, access: Any) -> dict[str, Any]:
    """Render the follow-up panel for caseworkers (not mentors) on an admitted or closed case."""
    case = access.case
    if Part.JOURNAL not in access.parts or case.status not in FOLLOWUP_STATUSES:
        return {"overview": None}
    request = context["request"]
    return {
        "overview": followup_overview(case, request.user),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
