"""Opfølgning: periodic reviews of the four exit changes and motivation, risk events,
and early warnings raised from them."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise

from vejud.accounts.fields import CreatedRecord, user_field
from vejud.audit.guard import guarded
from vejud.cases.fields import case_field
from vejud.core.constraints import in_range


class Progress(models.IntegerChoices):
    """How far one of the four exit changes has come."""

    NOT_STARTED = 0, _("Not started")
    PARTLY = 1, _("Partly")
    LARGELY = 2, _("Largely")
    FULLY = 3, _("Fully")


def _change(label: StrPromise, **options: Any) -> models.PositiveSmallIntegerField:
    """How far one of the four exit changes has come, as a review records it."""
    return models.PositiveSmallIntegerField(label, choices=Progress.choices, **options)


CHANGES = ("crime_stopped", "environment_left", "lifestyle_changed", "custody_behaviour")


@guarded
class Review(CreatedRecord):
    """A follow-up review: the four exit changes with evidence, the motivation level, risk events."""

    case = case_field("reviews")
    reviewed_on = models.DateField(_("review date"))
    crime_stopped = _change(_("1. Gang-related crime has stopped"))
    crime_evidence = models.TextField(_("evidence (1)"), blank=True)
    environment_left = _change(_("2. Interaction with the environment has stopped"))
    environment_evidence = models.TextField(_("evidence (2)"), blank=True)
    lifestyle_changed = _change(_("3. A changed lifestyle and a new life outside"))
    lifestyle_evidence = models.TextField(_("evidence (3)"), blank=True)
    custody_behaviour = _change(
        _("4. In custody: negative, strongly controlling behaviour has stopped"),
        null=True,
        blank=True,
    )
    custody_evidence = models.TextField(_("evidence (4)"), blank=True)
    motivation_level = models.PositiveSmallIntegerField(_("motivation level now (1-5)"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-reviewed_on", "-id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        indexes = [models.Index(fields=["case", "-reviewed_on"], name="review_case_recent")]
        constraints = [
            in_range("motivation_level", 1, 5, name="review_motivation_range"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{c}__isnull": True}) | Q(**{f"{c}__lte": 3}),
                    name=f"review_{c}_range",
                )
                for c in CHANGES
            ],
        ]

    def __str__(self) -> str:
        return f"Review {self.pk} of case {self.case_id} ({self.reviewed_on})"

    def progress_total(self) -> int:
        """Return the sum of the change ratings (for 'progress since last review')."""
        return sum(getattr(self, c) or 0 for c in CHANGES)


class RiskKind(models.TextChoices):
    THREAT = "threat", _("Threats")
    NEW_CHARGE = "new_charge", _("New charges")
    RELAPSE = "relapse", _("Relapse into substance abuse")
    ENVIRONMENT_CONTACT = "environment_contact", _("Contact with the environment")


@guarded
class RiskEvent(models.Model):
    """Something since the last review that puts the course at risk."""

    case = case_field("risk_events")
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="risk_events")
    kind = models.CharField(_("kind"), max_length=30, choices=RiskKind.choices)
    occurred_on = models.DateField(_("when"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("risk event")
        verbose_name_plural = _("risk events")

    def __str__(self) -> str:
        return f"{self.kind} on case {self.case_id}"


class WarningReason(models.TextChoices):
    MOTIVATION_DROP = "motivation_drop", _("Motivation fell by two levels or more")
    NO_PROGRESS = "no_progress", _("Two reviews in a row without progress")
    RISK_EVENT = "risk_event", _("A new risk event")


@guarded
class EarlyWarning(models.Model):
    """A flag on the case that needs the coordinator's attention until resolved."""

    case = case_field("early_warnings")
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="warnings")
    reason = models.CharField(_("reason"), max_length=30, choices=WarningReason.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    raised_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = user_field(null=True, blank=True)
    resolution_note = models.TextField(_("what was done"), blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("early warning")
        verbose_name_plural = _("early warnings")
        indexes = [models.Index(fields=["case", "resolved_at"], name="warning_case_open")]

    def __str__(self) -> str:
        return f"Warning {self.reason} on case {self.case_id}"
