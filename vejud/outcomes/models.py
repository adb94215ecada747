"""Outcomes after the course (issue 17): at fixed points after a course ended by completion or
interruption (``VEJUD_OUTCOME_MONTHS``), what the unit learnt: re-registration in the police's
gang register, new charges, and the person's own account if they agreed to be asked."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vejud.accounts.fields import user_field
from vejud.audit.guard import guarded
from vejud.cases.fields import case_field
from vejud.core.crypto import EncryptedTextField


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Unknown")


@guarded
class CaseOutcome(models.Model):
    """One follow-up point after the course: ``months`` after ``course_ended_on``."""

    case = case_field("outcomes")
    months = models.PositiveSmallIntegerField(_("months after the course"))
    # The day the course ended (the cohort of the dashboard) and the day the point fell due.
    course_ended_on = models.DateField(_("course ended"))
    due_on = models.DateField(_("due"))
    reregistered = models.CharField(
        _("re-registered in the police's gang register"), max_length=8, choices=Answer.choices
    )
    new_charges = models.CharField(_("new charges"), max_length=8, choices=Answer.choices)
    consented = models.BooleanField(_("the person agreed to be asked"), default=False)
    consented_on = models.DateField(_("agreed on"), null=True, blank=True)
    account = EncryptedTextField(_("the person's own account"), blank=True)
    recorded_by = user_field()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["months"]
        verbose_name = _("outcome after the course")
        verbose_name_plural = _("outcomes after the course")
        constraints = [
            models.UniqueConstraint(fields=["case", "months"], name="outcome_once_per_point"),
            models.CheckConstraint(
                condition=Q(consented=True, consented_on__isnull=False)
                | Q(consented=False, consented_on__isnull=True, account=""),
                name="outcome_account_needs_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"Outcome of case {self.case_id} at {self.months} months"
