"""Transfers between units and tracks, and good release (god løsladelse) from custody."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vejud.accounts.fields import user_field
from vejud.audit.guard import guarded
from vejud.cases.fields import case_field, one_case_field
from vejud.cases.models import Track
from vejud.core.constraints import not_blank
from vejud.organisations.fields import unit_field


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the receiver")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


@guarded
class Transfer(models.Model):
    """A hand-over requested by the sending side; until accepted, the sender stays responsible."""

    case = case_field("transfers")
    from_unit = unit_field(related_name="transfers_out")
    from_track = models.CharField(max_length=20, choices=Track.choices)
    from_institution = unit_field(null=True, blank=True)
    to_unit = unit_field(related_name="transfers_in", verbose_name=_("receiving unit"))
    to_track = models.CharField(_("track after the transfer"), max_length=20, choices=Track.choices)
    to_institution = unit_field(null=True, blank=True, verbose_name=_("institution"))
    handover_note = models.TextField(_("hand-over note"))
    requested_by = user_field()
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=20, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    decided_by = user_field(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("note from the receiver"), blank=True)
    # Accepted before the person's release: the receiver is responsible from the acceptance,
    # the case keeps its custody track until this day (the release date), then moves on.
    track_changes_on = models.DateField(_("track changes on"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        indexes = [models.Index(fields=["to_unit", "status"], name="transfer_incoming")]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="pending"), name="transfer_one_pending_per_case"
            ),
            models.CheckConstraint(
                condition=Q(to_track="liberty", to_institution__isnull=True)
                | Q(to_track="custody", to_institution__isnull=False),
                name="transfer_custody_has_institution",
            ),
            not_blank("handover_note", name="transfer_note_required"),
        ]

    def __str__(self) -> str:
        return f"Transfer {self.pk} of case {self.case_id} to {self.to_unit_id}"


@guarded
class ReleasePlan(models.Model):
    """Good release: planned ahead so housing, income, treatment and a mentor are there from day one."""

    case = one_case_field("release_plan")
    release_on = models.DateField(_("release date"))
    receiving_unit = unit_field(null=True, blank=True, verbose_name=_("receiving unit"))
    housing = models.BooleanField(_("Housing in place"), default=False)
    income = models.BooleanField(_("Income in place"), default=False)
    treatment = models.BooleanField(_("Treatment arranged"), default=False)
    mentor_from_day_one = models.BooleanField(_("Mentor from day one"), default=False)
    unit_informed = models.BooleanField(_("The receiving local unit is informed"), default=False)
    note = models.TextField(_("note"), blank=True)
    transfer = models.OneToOneField(
        Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="release_plan"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    CHECKLIST = ("housing", "income", "treatment", "mentor_from_day_one", "unit_informed")

    class Meta:
        verbose_name = _("release plan")
        verbose_name_plural = _("release plans")

    def __str__(self) -> str:
        return f"Release plan for case {self.case_id}"

    def missing(self) -> list[str]:
        """Return the checklist items not yet in place."""
        return [name for name in self.CHECKLIST if not getattr(self, name)]
