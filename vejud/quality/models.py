"""Case reviews (sagsgennemgang): the national contact point draws a sample of cases per unit,
reviews each against a checklist, records findings and learning points, and releases the
review to the unit, which answers it. A review names its case; the pages that show it are for
the contact point and the unit, never for the analyst."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vejud.accounts.fields import CreatedRecord, user_field
from vejud.audit.guard import guarded
from vejud.cases.fields import case_field
from vejud.organisations.fields import unit_field


class Criterion(models.TextChoices):
    RANDOM = "random", _("Random")
    LONG_ASSESSMENT = "long_assessment", _("Longest in assessment")
    EARLY_CLOSURE = "early_closure", _("Course ended early")


class CheckItem(models.TextChoices):
    CONSENT = "consent", _("Consent in place")
    INSTRUMENTS = "instruments", _("Assessment instruments signed")
    PLAN = "plan", _("A plan with owners and deadlines")
    FOLLOWUP = "followup", _("Follow-ups on time")
    GROUNDS = "grounds", _("Decision grounds stated")


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    NOT_RELEVANT = "na", _("Not relevant")


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Being reviewed")
    RELEASED = "released", _("Sent to the unit")
    ANSWERED = "answered", _("Answered by the unit")


class Theme(models.TextChoices):
    CONSENT = "consent", _("Consent and information")
    ASSESSMENT = "assessment", _("Assessment and decision")
    PLAN = "plan", _("Plan and offers")
    FOLLOWUP = "followup", _("Follow-up and early warnings")
    COOPERATION = "cooperation", _("Cooperation between agencies")
    DOCUMENTATION = "documentation", _("Documentation")


@guarded
class ReviewRound(CreatedRecord):
    """One draw of cases for review: the period, the units, how many each and how chosen."""

    title = models.CharField(_("title"), max_length=120)
    period_start = models.DateField(_("cases opened from"))
    period_end = models.DateField(_("cases opened until"))
    criterion = models.CharField(_("chosen by"), max_length=20, choices=Criterion.choices)
    per_unit = models.PositiveSmallIntegerField(_("cases per unit"))
    seed = models.PositiveIntegerField()  # the random draw, recorded so it can be repeated

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


@guarded
class CaseReview(models.Model):
    """The review of one sampled case."""

    round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="reviews")
    case = case_field("quality_reviews")
    unit = unit_field(related_name="quality_reviews")
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    checklist = models.JSONField(default=dict)  # {item: {"answer": ..., "note": ...}}
    findings = models.TextField(_("findings"), blank=True)
    reviewed_by = user_field(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("the unit's answer"), blank=True)
    answered_by = user_field(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["unit__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "case"], name="quality_review_once"),
        ]
        indexes = [models.Index(fields=["unit", "status"], name="quality_review_unit")]

    def __str__(self) -> str:
        return f"Review {self.pk} of case {self.case_id}"


@guarded
class LearningPoint(CreatedRecord):
    """What the effort as a whole can learn from a review, by theme."""

    review = models.ForeignKey(CaseReview, on_delete=models.PROTECT, related_name="learning_points")
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices)
    text = models.TextField(_("learning point"), max_length=2000)

    class Meta:
        ordering = ["theme", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.theme}: {self.text[:40]}"
