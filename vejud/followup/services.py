"""Writes for follow-up: record a review (and its risk events), raise and resolve early warnings."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from vejud.access.casework import require_actor
from vejud.accounts.models import User
from vejud.assessments.models import MotivationAssessment
from vejud.assessments.services import latest_signed
from vejud.audit.services import audit_case_change, audited_service, snapshot
from vejud.cases.models import Case, Track
from vejud.cases.services import case_row_lock, require_course_worker
from vejud.cases.states import Actor
from vejud.core.limits import required_text
from vejud.core.records import lock_unstamped, stamp
from vejud.followup.models import (
    CHANGES,
    EarlyWarning,
    Progress,
    Review,
    RiskEvent,
    RiskKind,
    WarningReason,
)


def baseline_motivation(case: Case, before: Review | None) -> int | None:
    """Return the motivation level to compare with: the previous review, else the signed assessment."""
    if before is not None:
        return before.motivation_level
    assessment = latest_signed(MotivationAssessment, case)
    return assessment.level if assessment is not None else None


def review_due_on(case: Case, last: Review | None) -> date | None:
    """Return when the next review is due (default every 90 days from the course start).

    The date counted from is what ``review_from_refresh`` stores as ``Case.review_from``;
    this takes the latest review the caller already holds, so it needs no query.
    """
    start = last.reviewed_on if last is not None else case.course_started_on
    if start is None:
        return None
    return start + timedelta(days=settings.VEJUD_REVIEW_DAYS)


def review_from_refresh(*, case_id: int) -> None:
    """Store on the case the date its next review counts from: the latest review, else the start.

    Call in the transaction that records a review or changes the course start.
    """
    case_row_lock(case_id)
    latest = (
        Review.objects.filter(case_id=OuterRef("pk"))
        .order_by("-reviewed_on")
        .values("reviewed_on")[:1]
    )
    Case.objects.filter(pk=case_id).update(
        review_from=Coalesce(Subquery(latest), F("course_started_on"))
    )


def _without_progress(review: Review, previous: Review | None) -> bool:
    return review.progress_total() <= (previous.progress_total() if previous is not None else 0)


def early_warnings_for(case: Case, review: Review, risk_count: int) -> list[tuple[str, str]]:
    """Return (reason, detail) for each early-warning rule the new review triggers."""
    history = list(
        Review.objects.filter(case=case).exclude(pk=review.pk).order_by("-reviewed_on", "-id")[:2]
    )
    previous = history[0] if history else None
    before_previous = history[1] if len(history) > 1 else None
    reasons: list[tuple[str, str]] = []
    baseline = baseline_motivation(case, previous)
    if baseline is not None and baseline - review.motivation_level >= 2:
        reasons.append(
            (
                WarningReason.MOTIVATION_DROP,
                _("From %(old)s to %(new)s") % {"old": baseline, "new": review.motivation_level},
            )
        )
    if (
        previous is not None
        and _without_progress(review, previous)
        and _without_progress(previous, before_previous)
    ):
        reasons.append((WarningReason.NO_PROGRESS, ""))
    if risk_count:
        reasons.append((WarningReason.RISK_EVENT, ""))
    return reasons


@audited_service
def review_record(
    *,
    actor: User,
    case: Case,
    reviewed_on: date,
    crime_stopped: int,
    environment_left: int,
    lifestyle_changed: int,
    motivation_level: int,
    custody_behaviour: int | None = None,
    evidence: dict[str, str] | None = None,
    risk_events: list[dict[str, Any]] | None = None,
    note: str = "",
) -> Review:
    """Record a follow-up review; raise early warnings for a motivation dip, stalled progress or risk."""
    require_course_worker(actor, case)
    ratings = {
        "crime_stopped": crime_stopped,
        "environment_left": environment_left,
        "lifestyle_changed": lifestyle_changed,
    }
    if case.track == Track.CUSTODY:
        if custody_behaviour is None:
            raise ValidationError(
                _("Rate the behaviour in custody (change 4)."), code="custody_behaviour"
            )
        ratings["custody_behaviour"] = custody_behaviour
    elif custody_behaviour is not None:
        raise ValidationError(_("Change 4 is rated only in custody."), code="custody_behaviour")
    if any(v not in Progress.values for v in ratings.values()):
        raise ValidationError(
            _("Rate each change: not started, partly, largely or fully."), code="rating"
        )
    if not 1 <= motivation_level <= 5:
        raise ValidationError(_("The motivation level is 1 to 5."), code="motivation_level")
    if reviewed_on > timezone.localdate():
        raise ValidationError(_("A review cannot be dated in the future."), code="reviewed_on")
    evidence = evidence or {}
    prefixes = {
        "crime_stopped": "crime",
        "environment_left": "environment",
        "lifestyle_changed": "lifestyle",
        "custody_behaviour": "custody",
    }
    review = Review.objects.create(
        case=case,
        reviewed_on=reviewed_on,
        motivation_level=motivation_level,
        note=note.strip(),
        created_by=actor,
        **ratings,
        **{f"{prefixes[c]}_evidence": evidence.get(c, "").strip() for c in CHANGES},
    )
    review_from_refresh(case_id=case.pk)
    events = []
    for item in risk_events or []:
        kind, occurred = item.get("kind"), item.get("occurred_on")
        if kind not in RiskKind.values or not isinstance(occurred, date):
            raise ValidationError(_("Each risk event needs a kind and a date."), code="risk_event")
        events.append(
            RiskEvent.objects.create(
                case=case,
                review=review,
                kind=kind,
                occurred_on=occurred,
                note=str(item.get("note", "")).strip(),
            )
        )
    audit_case_change(
        actor=actor,
        action="review.record",
        obj=review,
        changes={**snapshot(review), "risk_events": len(events)},
        case=case,
    )
    for reason, detail in early_warnings_for(case, review, len(events)):
        warning = EarlyWarning.objects.create(
            case=case, review=review, reason=reason, detail=detail
        )
        audit_case_change(
            actor=actor,
            action="early_warning.raise",
            obj=warning,
            changes={"reason": reason},
            case=case,
        )
    return review


@audited_service
def warning_resolve(*, actor: User, warning: EarlyWarning, note: str) -> EarlyWarning:
    """The coordinator (or a caseworker) records what was done about an early warning."""
    case = warning.case
    require_actor(actor, case, Actor.CASEWORKER)
    note = required_text(note, _("Say what was done."), code="note")
    warning = lock_unstamped(warning, "resolved", _("The warning is already resolved."))
    stamp(warning, "resolved", actor, resolution_note=note)
    audit_case_change(
        actor=actor,
        action="early_warning.resolve",
        obj=warning,
        changes={},
        reason=warning.resolution_note,
        case=case,
    )
    return warning
