"""Case reviews: draw a round, record a review, add learning points, send it to the unit, and
the unit's answer. Each write is atomic, permission-checked and audited."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vejud.access.quality import cases_drawable, check_review, may_answer
from vejud.access.rules import Capability, require
from vejud.accounts.models import User
from vejud.assessments.models import (
    MotivationAssessment,
    SuitabilityAssessment,
    TargetGroupAssessment,
)
from vejud.audit.services import audit_record, audited_service
from vejud.cases.models import Case, CaseStatus
from vejud.core.errors import ConflictError
from vejud.core.limits import required_text
from vejud.courses.models import CaseClosure, ClosureReason, PlanAction
from vejud.decisions.models import Decision
from vejud.intake.models import Consent
from vejud.organisations.models import Unit, UnitKind
from vejud.quality.models import (
    Answer,
    CaseReview,
    CheckItem,
    Criterion,
    LearningPoint,
    ReviewRound,
    ReviewStatus,
    Theme,
)

MAX_PER_UNIT = 20


def _candidates(actor: User, unit: Unit, start: date, end: date, criterion: str) -> QuerySet[Case]:
    cases = cases_drawable(actor).filter(
        responsible_unit=unit, opened_on__gte=start, opened_on__lte=end
    )
    if criterion == Criterion.LONG_ASSESSMENT:
        return cases.filter(status=CaseStatus.ASSESSMENT).order_by("opened_on", "id")
    if criterion == Criterion.EARLY_CLOSURE:
        early = CaseClosure.objects.filter(case=OuterRef("pk")).exclude(
            reason=ClosureReason.COMPLETED
        )
        return cases.filter(Exists(early)).order_by("-closed_on", "id")
    return cases.order_by("id")


def draw(
    *,
    actor: User,
    units: list[Unit],
    start: date,
    end: date,
    criterion: str,
    per_unit: int,
    seed: int,
) -> list[Case]:
    """The cases ``actor`` draws for a round: per unit, ``per_unit`` at random (by ``seed``) or
    the first by the criterion, of the cases the actor may draw (``cases_drawable``: never one
    whose person's lists bar them). The same arguments draw the same cases."""
    rng = random.Random(seed)
    chosen: list[Case] = []
    for unit in sorted(units, key=lambda u: u.pk):
        cases = _candidates(actor, unit, start, end, criterion)
        if criterion == Criterion.RANDOM:
            ids = list(cases.values_list("id", flat=True))
            picked = sorted(rng.sample(ids, min(per_unit, len(ids))))
            chosen += list(Case.objects.filter(pk__in=picked).order_by("id"))
        else:
            chosen += list(cases[:per_unit])
    return chosen


@audited_service
def review_round_create(
    *,
    actor: User,
    title: str,
    start: date,
    end: date,
    criterion: str,
    per_unit: int,
    units: list[Unit] | None = None,
    seed: int | None = None,
) -> ReviewRound:
    """Draw a round of cases for review, per local unit (all of them unless ``units``)."""
    require(actor, Capability.CONDUCT_REVIEWS)
    title = required_text(title, _("Give the round a title."), code="title")
    if criterion not in Criterion.values:
        raise ValidationError(_("Unknown criterion."), code="criterion")
    if not 1 <= per_unit <= MAX_PER_UNIT:
        raise ValidationError(
            _("Draw 1 to %(n)s cases per unit.") % {"n": MAX_PER_UNIT}, code="per_unit"
        )
    if end < start:
        raise ValidationError(_("The period ends before it starts."), code="period")
    units = units or list(Unit.objects.filter(kind=UnitKind.LOCAL, is_active=True))
    seed = seed if seed is not None else random.SystemRandom().randrange(1, 2**31)
    round_ = ReviewRound.objects.create(
        title=title,
        period_start=start,
        period_end=end,
        criterion=criterion,
        per_unit=per_unit,
        seed=seed,
        created_by=actor,
    )
    cases = draw(
        actor=actor,
        units=units,
        start=start,
        end=end,
        criterion=criterion,
        per_unit=per_unit,
        seed=seed,
    )
    reviews = CaseReview.objects.bulk_create(
        [
            CaseReview(
                round=round_, case=case, unit_id=case.responsible_unit_id, checklist=prefill(case)
            )
            for case in cases
        ]
    )
    audit_record(
        actor=actor,
        action="quality.round_create",
        obj=round_,
        changes={"cases": len(reviews), "criterion": criterion, "seed": seed},
    )
    for review in reviews:
        audit_record(actor=actor, action="quality.review_draw", obj=review, case_id=review.case_id)
    return round_


def prefill(case: Case) -> dict[str, dict[str, str]]:
    """The checklist as far as the data answers it (the reviewer confirms or changes it)."""
    signed = all(
        model.objects.filter(case=case, signed_at__isnull=False).exists()
        for model in (TargetGroupAssessment, MotivationAssessment, SuitabilityAssessment)
    )
    facts = {
        CheckItem.CONSENT: Consent.objects.filter(case=case).exists(),
        CheckItem.INSTRUMENTS: signed,
        CheckItem.PLAN: PlanAction.objects.filter(case=case).exists(),
        CheckItem.GROUNDS: Decision.objects.filter(case=case).exists(),
    }
    checklist = {
        item.value: {"answer": Answer.YES if found else Answer.NO, "note": ""}
        for item, found in facts.items()
    }
    checklist[CheckItem.FOLLOWUP.value] = {"answer": "", "note": ""}  # the reviewer judges
    return checklist


def _draft(actor: User, review: CaseReview) -> CaseReview:
    require(actor, Capability.CONDUCT_REVIEWS)
    check_review(actor, review)
    locked = CaseReview.objects.select_for_update().get(pk=review.pk)
    if locked.status != ReviewStatus.DRAFT:
        raise ConflictError(_("The review has been sent to the unit already."))
    return locked


@audited_service
def review_record(
    *, actor: User, review: CaseReview, checklist: dict[str, dict[str, str]], findings: str
) -> CaseReview:
    """Record the checklist and findings of a review still being made."""
    locked = _draft(actor, review)
    clean: dict[str, dict[str, str]] = {}
    for item in CheckItem:
        entry: Any = checklist.get(item.value, {})
        answer = str(entry.get("answer", ""))
        if answer not in Answer.values:
            raise ValidationError(_("Answer every item of the checklist."), code="checklist")
        clean[item.value] = {"answer": answer, "note": str(entry.get("note", "")).strip()[:500]}
    before = locked.checklist
    locked.checklist, locked.findings, locked.reviewed_by = clean, findings.strip(), actor
    locked.save(update_fields=["checklist", "findings", "reviewed_by"])
    audit_record(
        actor=actor,
        action="quality.review_record",
        obj=locked,
        changes={"checklist": [before, clean]},
        case_id=locked.case_id,
    )
    return locked


@audited_service
def learning_point_add(*, actor: User, review: CaseReview, theme: str, text: str) -> LearningPoint:
    require(actor, Capability.CONDUCT_REVIEWS)
    check_review(actor, review)
    if theme not in Theme.values:
        raise ValidationError(_("Choose a theme."), code="theme")
    text = required_text(text, _("Write the learning point."), code="text")
    point = LearningPoint.objects.create(review=review, theme=theme, text=text, created_by=actor)
    audit_record(actor=actor, action="quality.learning_point", obj=point, case_id=review.case_id)
    return point


@audited_service
def review_release(*, actor: User, review: CaseReview) -> CaseReview:
    """Send the finished review to the unit (the checklist must be complete)."""
    locked = _draft(actor, review)
    if any(entry.get("answer") not in Answer.values for entry in locked.checklist.values()) or set(
        locked.checklist
    ) != set(CheckItem.values):
        raise ValidationError(_("Answer every item of the checklist first."), code="checklist")
    locked.status, locked.released_at = ReviewStatus.RELEASED, timezone.now()
    locked.save(update_fields=["status", "released_at"])
    audit_record(actor=actor, action="quality.review_release", obj=locked, case_id=locked.case_id)
    return locked


@audited_service
def review_answer(*, actor: User, review: CaseReview, answer: str) -> CaseReview:
    """The unit's answer to a review sent to it (once)."""
    check_review(actor, review)
    answer = required_text(answer, _("Write the unit's answer."), code="answer")
    locked = CaseReview.objects.select_for_update().get(pk=review.pk)
    if locked.status == ReviewStatus.ANSWERED:
        raise ConflictError(_("The review has been answered already."))
    if not may_answer(actor, locked):
        raise PermissionDenied
    locked.status, locked.answer = ReviewStatus.ANSWERED, answer
    locked.answered_by, locked.answered_at = actor, timezone.now()
    locked.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    audit_record(actor=actor, action="quality.review_answer", obj=locked, case_id=locked.case_id)
    return locked
