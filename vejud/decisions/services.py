"""Decisions on admission: the unit's decision, referral, information requests, final decision."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vejud.access.casework import may_act, require_actor
from vejud.accounts.models import User
from vejud.assessments.models import (
    MotivationAssessment,
    SuitabilityAssessment,
    TargetGroupAssessment,
)
from vejud.assessments.services import latest_signed
from vejud.audit.services import audit_case_change, audited_service
from vejud.cases.models import Case, CaseStatus
from vejud.cases.services import case_lock, case_transition_nested
from vejud.cases.states import Actor
from vejud.core.limits import required_text
from vejud.core.records import save_fields, stamp
from vejud.decisions.models import (
    Decision,
    DecisionLevel,
    DecisionOutcome,
    InformationRequest,
    Referral,
    RefusalGround,
)
from vejud.intake.models import ConsentAgency
from vejud.intake.selectors import require_consent

GROUND_INSTRUMENT = {
    RefusalGround.OUTSIDE_TARGET_GROUP: (
        "target_group",
        gettext_lazy("a signed target-group assessment"),
    ),
    RefusalGround.NOT_SUITABLE: ("suitability", gettext_lazy("a signed suitability assessment")),
    RefusalGround.NOT_MOTIVATED: ("motivation", gettext_lazy("a signed motivation assessment")),
}


def _signed_instruments(case: Case) -> dict[str, Any]:
    return {
        "target_group": latest_signed(TargetGroupAssessment, case),
        "motivation": latest_signed(MotivationAssessment, case),
        "suitability": latest_signed(SuitabilityAssessment, case),
    }


def decision_requirements(case: Case, outcome: str, grounds: list[str]) -> list[str]:
    """Return what is missing before the unit can make this decision (empty when ready)."""
    signed = _signed_instruments(case)
    missing: list[str] = []
    if outcome == DecisionOutcome.ADMIT:
        for key, label in (
            ("target_group", _("a signed target-group assessment")),
            ("motivation", _("a signed motivation assessment")),
            ("suitability", _("a signed suitability assessment")),
        ):
            if signed[key] is None:
                missing.append(str(label))
    else:
        for ground in grounds:
            key, needed = GROUND_INSTRUMENT[RefusalGround(ground)]
            if signed[key] is None:
                missing.append(str(needed))
    return missing


@audited_service
def unit_decision_record(
    *,
    actor: User,
    case: Case,
    outcome: str,
    reasoning: str,
    grounds: list[str] | None = None,
    expected_version: int | None = None,
) -> Decision:
    """The unit's decision: admit, or refuse on one or more grounds, resting on signed assessments."""
    grounds = sorted(set(grounds or []))
    if outcome not in {DecisionOutcome.ADMIT, DecisionOutcome.REFUSE}:
        raise ValidationError(_("Choose admit or refuse."), code="outcome")
    if outcome == DecisionOutcome.REFUSE and not grounds:
        raise ValidationError(_("Give at least one ground for the refusal."), code="grounds")
    if outcome == DecisionOutcome.ADMIT and grounds:
        raise ValidationError(_("An admission has no grounds for refusal."), code="grounds")
    if any(g not in RefusalGround.values for g in grounds):
        raise ValidationError(_("Unknown ground for refusal."), code="grounds")
    reasoning = required_text(
        reasoning, _("Give the reasoning for the decision."), code="reasoning"
    )
    locked = case_lock(case=case, expected_version=expected_version)
    if not may_act(actor, locked, Actor.UNIT_DECIDER):
        raise PermissionDenied(
            _("Only the unit coordinator (custody staff for custody cases) decides.")
        )
    missing = decision_requirements(locked, outcome, grounds)
    if missing and locked.status == CaseStatus.ASSESSMENT:
        raise ValidationError(
            _("The decision needs %(missing)s.") % {"missing": ", ".join(missing)},
            code="assessments_missing",
        )
    target = CaseStatus.ADMITTED if outcome == DecisionOutcome.ADMIT else CaseStatus.REFUSED
    case_transition_nested(actor=actor, case=locked, target=target, reason=reasoning)
    return _decision_create(
        actor, locked, DecisionLevel.UNIT, outcome, grounds, reasoning, _signed_instruments(locked)
    )


def _decision_create(
    actor: User,
    case: Case,
    level: DecisionLevel,
    outcome: str,
    grounds: list[str],
    reasoning: str,
    instruments: dict[str, Any],
) -> Decision:
    """Record a decision resting on ``instruments`` (the target-group, motivation and
    suitability assessments), audited as ``decision.<level>``."""
    decision = Decision.objects.create(
        case=case,
        level=level,
        outcome=outcome,
        grounds=grounds,
        reasoning=reasoning,
        decided_by=actor,
        **instruments,
    )
    audit_case_change(actor=actor, action=f"decision.{level}", obj=decision, case=case)
    return decision


@audited_service
def referral_create(
    *,
    actor: User,
    case: Case,
    requested_by_person: bool = True,
    note: str = "",
    expected_version: int | None = None,
) -> Referral:
    """Put a refusal before the National Exit Contact Point (needs consent covering it)."""
    note = note.strip()
    locked = case_lock(case=case, expected_version=expected_version)
    require_actor(actor, locked, Actor.CASEWORKER)
    require_consent(locked, ConsentAgency.NATIONAL)
    refusal = locked.decisions.filter(
        level=DecisionLevel.UNIT, outcome=DecisionOutcome.REFUSE
    ).last()
    if refusal is None:
        raise ValidationError(_("There is no refusal to refer."), code="no_refusal")
    case_transition_nested(actor=actor, case=locked, target=CaseStatus.REFERRED, reason=note)
    referral = Referral.objects.create(
        case=locked,
        refusal=refusal,
        requested_by_person=requested_by_person,
        note=note,
        referred_by=actor,
        due_on=timezone.localdate() + timedelta(days=settings.VEJUD_REFERRAL_DAYS),
    )
    audit_case_change(actor=actor, action="referral.create", obj=referral, case=locked)
    return referral


def _open_referral(case: Case) -> Referral:
    referral = case.referrals.filter(final_decision__isnull=True).order_by("-referred_at").first()
    if referral is None:
        raise ValidationError(_("The case has no referral awaiting decision."), code="no_referral")
    return referral


@audited_service
def information_request_create(*, actor: User, case: Case, question: str) -> InformationRequest:
    """The national decision-maker asks the unit for more information on a referred case."""
    require_actor(actor, case, Actor.NATIONAL_DECIDER)
    if case.status != CaseStatus.REFERRED:
        raise ValidationError(
            _("Information can only be requested on a referred case."), code="status"
        )
    question = required_text(question, _("Write the question."), code="question")
    request = InformationRequest.objects.create(
        referral=_open_referral(case), question=question, asked_by=actor
    )
    audit_case_change(
        actor=actor,
        action="referral.information_request",
        obj=request,
        changes={"question_length": len(request.question)},
        case=case,
    )
    return request


@audited_service
def information_request_answer(
    *, actor: User, request: InformationRequest, answer: str
) -> InformationRequest:
    """The unit answers the contact point's request for information."""
    request = (
        InformationRequest.objects.select_for_update()
        .select_related("referral__case")
        .get(pk=request.pk)
    )
    case = request.referral.case
    require_actor(actor, case, Actor.CASEWORKER)
    if request.answered_at is not None:
        raise ValidationError(_("The request is already answered."), code="answered")
    answer = required_text(answer, _("Write the answer."), code="answer")
    stamp(request, "answered", actor, answer=answer)
    audit_case_change(
        actor=actor,
        action="referral.information_answer",
        obj=request,
        changes={"answer_length": len(request.answer)},
        case=case,
    )
    return request


@audited_service
def final_decision_record(
    *, actor: User, case: Case, outcome: str, reasoning: str, expected_version: int | None = None
) -> Decision:
    """The national contact point's final decision: uphold the refusal, or admit (overturn)."""
    if outcome not in {DecisionOutcome.UPHOLD, DecisionOutcome.OVERTURN}:
        raise ValidationError(_("Choose uphold or admit."), code="outcome")
    reasoning = required_text(
        reasoning, _("Give the reasoning for the decision."), code="reasoning"
    )
    locked = case_lock(case=case, expected_version=expected_version)
    if not may_act(actor, locked, Actor.NATIONAL_DECIDER):
        raise PermissionDenied(_("Only the national decision-maker makes the final decision."))
    referral = _open_referral(locked)
    target = (
        CaseStatus.ADMITTED if outcome == DecisionOutcome.OVERTURN else CaseStatus.REFUSAL_UPHELD
    )
    case_transition_nested(actor=actor, case=locked, target=target, reason=reasoning)
    refusal = referral.refusal
    decision = _decision_create(
        actor,
        locked,
        DecisionLevel.FINAL,
        outcome,
        refusal.grounds if outcome == DecisionOutcome.UPHOLD else [],
        reasoning,
        {
            "target_group": refusal.target_group,
            "motivation": refusal.motivation,
            "suitability": refusal.suitability,
        },
    )
    save_fields(referral, final_decision=decision)
    return decision
