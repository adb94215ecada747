"""Builders for case reviews (vejud.quality), through the real services."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from vejud.accounts.models import User
from vejud.organisations.models import Unit
from vejud.quality.models import CaseReview, ReviewRound
from vejud.quality.services import (
    MAX_PER_UNIT,
    learning_point_add,
    review_record,
    review_release,
    review_round_create,
)


def make_round(
    actor: User,
    units: list[Unit],
    *,
    title: str = "Round",
    start: date | None = None,
    end: date | None = None,
    criterion: str = "random",
    per_unit: int = MAX_PER_UNIT,
    seed: int = 1,
) -> ReviewRound:
    """``actor`` draws a round of ``units``' cases opened in the last 30 days (or from ``start``
    to ``end``); by default every such case, up to the most a round draws per unit."""
    today = timezone.localdate()
    return review_round_create(
        actor=actor,
        title=title,
        start=start or today - timedelta(days=30),
        end=end or today,
        criterion=criterion,
        per_unit=per_unit,
        units=units,
        seed=seed,
    )


def send_review(
    actor: User,
    review: CaseReview,
    *,
    findings: str = "",
    note: str = "",
    point: tuple[str, str] | None = None,
) -> CaseReview:
    """``actor`` answers every checklist item yes (with ``note``), records ``findings``, adds
    the learning point ``point`` (theme, text) if given, and sends the review to its unit."""
    checklist = {item: {"answer": "yes", "note": note} for item in review.checklist}
    review_record(actor=actor, review=review, checklist=checklist, findings=findings)
    if point is not None:
        theme, text = point
        learning_point_add(actor=actor, review=review, theme=theme, text=text)
    return review_release(actor=actor, review=review)
