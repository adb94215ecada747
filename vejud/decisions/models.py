"""Decisions: the unit's admission decision, referral to the national contact point
(forelæggelse), its requests for more information, and the final decision."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vejud.accounts.fields import user_field
from vejud.assessments.models import (
    InstrumentBase,
    MotivationAssessment,
    SuitabilityAssessment,
    TargetGroupAssessment,
)
from vejud.audit.guard import guarded
from vejud.cases.fields import case_field
from vejud.core.constraints import not_blank


class DecisionLevel(models.TextChoices):
    UNIT = "unit", _("Local decision")
    FINAL = "final", _("Final decision by the National Exit Contact Point")


class DecisionOutcome(models.TextChoices):
    ADMIT = "admit", _("Admitted")
    REFUSE = "refuse", _("Refused")
    UPHOLD = "uphold", _("Refusal upheld")
    OVERTURN = "overturn", _("Refusal overturned: admitted")


class RefusalGround(models.TextChoices):
    OUTSIDE_TARGET_GROUP = "outside_target_group", _("Outside the target group")
    NOT_SUITABLE = "not_suitable", _("Not suitable enough")
    NOT_MOTIVATED = "not_motivated", _("Not motivated enough")


def _rests_on(instrument: type[InstrumentBase]) -> models.ForeignKey:
    """The signed version of an instrument that a decision rests on (empty: not part of it)."""
    return models.ForeignKey(
        instrument, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )


@guarded
class Decision(models.Model):
    """A decision on admission, with the signed assessments it rests on."""

    case = case_field("decisions")
    level = models.CharField(_("level"), max_length=10, choices=DecisionLevel.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=DecisionOutcome.choices)
    grounds = models.JSONField(_("grounds for refusal"), default=list)
    reasoning = models.TextField(_("reasoning"))
    target_group = _rests_on(TargetGroupAssessment)
    motivation = _rests_on(MotivationAssessment)
    suitability = _rests_on(SuitabilityAssessment)
    decided_by = user_field()
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        indexes = [models.Index(fields=["case", "decided_at"], name="decision_case_at")]
        constraints = [
            not_blank("reasoning", name="decision_reasoning_required"),
            models.CheckConstraint(
                condition=Q(level="unit", outcome__in=["admit", "refuse"])
                | Q(level="final", outcome__in=["uphold", "overturn"]),
                name="decision_outcome_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.get_outcome_display()} (case {self.case_id})"

    @property
    def is_refusal(self) -> bool:
        return self.outcome in {DecisionOutcome.REFUSE, DecisionOutcome.UPHOLD}

    def ground_labels(self) -> list[str]:
        return [str(RefusalGround(g).label) for g in self.grounds if g in RefusalGround.values]


@guarded
class Referral(models.Model):
    """Forelæggelse: a refusal put before the National Exit Contact Point for final decision."""

    case = case_field("referrals")
    refusal = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="referrals")
    requested_by_person = models.BooleanField(
        _("requested by the person"),
        default=True,
        help_text=_(
            "The person asked for the referral (registered by staff); otherwise the unit referred it."
        ),
    )
    note = models.TextField(_("the unit's note to the contact point"), blank=True)
    referred_by = user_field()
    referred_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField(_("decision due"))
    final_decision = models.OneToOneField(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="referral_decided"
    )

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [models.Index(fields=["final_decision", "due_on"], name="referral_open_due")]

    def __str__(self) -> str:
        return f"Referral {self.pk} (case {self.case_id})"


@guarded
class InformationRequest(models.Model):
    """The national decision-maker asks the unit for more information before deciding."""

    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, related_name="information_requests"
    )
    question = models.TextField(_("question"))
    asked_by = user_field()
    asked_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = user_field(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        constraints = [
            not_blank("question", name="inforequest_question_required"),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(answer=""),
                name="inforequest_answer_when_answered",
            ),
        ]

    def __str__(self) -> str:
        return f"Information request {self.pk} on referral {self.referral_id}"
