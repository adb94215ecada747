"""The exit course (exitforløb): agreement, plan with goals and actions, offers, mentor meetings,
and the closure of a course."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vejud.accounts.fields import CreatedRecord, user_field
from vejud.audit.guard import guarded
from vejud.cases.fields import case_field, one_case_field
from vejud.cases.models import MentorAssignment
from vejud.core.constraints import end_not_before_start, in_range, not_blank
from vejud.core.fields import status_field
from vejud.offers.models import OfferType


class Party(models.TextChoices):
    PERSON = "person", _("The person")
    POLICE = "police", _("Police")
    MUNICIPALITY = "municipality", _("Municipality")
    KRIMINALFORSORGEN = "kriminalforsorgen", _("Prison and Probation Service")


@guarded
class ExitAgreement(CreatedRecord):
    """Exitaftale: the voluntary written agreement between the person and the agencies."""

    case = one_case_field("agreement")
    parties = models.JSONField(_("parties"), default=list, blank=True)
    starts_on = models.DateField(_("course starts"))
    expected_months = models.PositiveSmallIntegerField(
        _("expected duration (months)"), default=12, help_text=_("Typically 6-12 months.")
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    terms = models.TextField(_("what the parties agree"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("exit agreement")
        verbose_name_plural = _("exit agreements")
        constraints = [
            in_range("expected_months", 1, 36, name="agreement_duration_range"),
        ]

    def __str__(self) -> str:
        return f"Exit agreement for case {self.case_id}"


class LifeArea(models.TextChoices):
    HOUSING = "housing", _("Housing")
    ECONOMY = "economy", _("Economy and debt")
    WORK_EDUCATION = "work_education", _("Work and education")
    FAMILY_NETWORK = "family_network", _("Family and network")
    HEALTH = "health", _("Physical and mental health")
    SUBSTANCE = "substance", _("Substance abuse")
    LEISURE = "leisure", _("Leisure")
    SAFETY = "safety", _("Safety")
    CRIME = "crime", _("Crime")


@guarded
class PlanGoal(CreatedRecord):
    """A goal in the exit plan (handleplan) for one life area."""

    case = case_field("plan_goals")
    life_area = models.CharField(_("life area"), max_length=20, choices=LifeArea.choices)
    goal = models.TextField(_("goal"))

    class Meta:
        ordering = ["life_area", "id"]
        verbose_name = _("plan goal")
        verbose_name_plural = _("plan goals")
        indexes = [models.Index(fields=["case", "life_area"], name="plangoal_case_area")]
        constraints = [not_blank("goal", name="plangoal_goal_required")]

    def __str__(self) -> str:
        return f"Goal {self.pk} ({self.life_area}) on case {self.case_id}"


class OwnerAgency(models.TextChoices):
    POLICE = "police", _("Police")
    MUNICIPALITY = "municipality", _("Municipality")
    KRIMINALFORSORGEN = "kriminalforsorgen", _("Prison and Probation Service")
    NATIONAL = "national", _("National Exit Contact Point")
    PERSON = "person", _("The person")
    MENTOR = "mentor", _("Mentor")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


OPEN_ACTION_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


@guarded
class PlanAction(models.Model):
    """An action towards a goal: who owns it, by when, and how it went."""

    goal = models.ForeignKey(PlanGoal, on_delete=models.PROTECT, related_name="actions")
    case = case_field("plan_actions")
    description = models.TextField(_("action"))
    owner_agency = models.CharField(_("owner agency"), max_length=20, choices=OwnerAgency.choices)
    owner = user_field(null=True, blank=True, related_name="plan_actions", verbose_name=_("owner"))
    deadline = models.DateField(_("deadline"))
    status = status_field(ActionStatus.PLANNED)
    outcome = models.TextField(_("outcome"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("plan action")
        verbose_name_plural = _("plan actions")
        indexes = [
            models.Index(fields=["case", "deadline"], name="planaction_case_deadline"),
            models.Index(fields=["owner", "status", "deadline"], name="planaction_owner_open"),
        ]
        constraints = [not_blank("description", name="planaction_text_required")]

    def __str__(self) -> str:
        return f"Action {self.pk} on case {self.case_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES


class OfferStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


@guarded
class CaseOffer(models.Model):
    """An offer from the catalogue given on a case: provider, period, status and result."""

    case = case_field("offers")
    offer_type = models.ForeignKey(
        OfferType, on_delete=models.PROTECT, related_name="+", verbose_name=_("offer")
    )
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    status = status_field(OfferStatus.PLANNED)
    result = models.TextField(_("result"), blank=True)
    created_by = user_field()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_on", "id"]
        verbose_name = _("offer on a case")
        verbose_name_plural = _("offers on cases")
        indexes = [models.Index(fields=["case", "status"], name="caseoffer_case_status")]
        constraints = [
            end_not_before_start(
                "ends_on", "starts_on", name="caseoffer_period_valid", open_start=True
            ),
        ]

    def __str__(self) -> str:
        return f"Offer {self.offer_type_id} on case {self.case_id}"


class MeetingForm(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video")
    MESSAGE = "message", _("Message")


@guarded
class MentorMeeting(CreatedRecord):
    """A meeting in the mentor's log; a flag asks the unit for attention (a task for the coordinator)."""

    assignment = models.ForeignKey(
        MentorAssignment, on_delete=models.PROTECT, related_name="meetings"
    )
    case = case_field("mentor_meetings")
    met_on = models.DateField(_("date"))
    form = models.CharField(_("form"), max_length=20, choices=MeetingForm.choices)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    note = models.TextField(_("short note"), blank=True)
    needs_attention = models.BooleanField(_("needs the unit's attention"), default=False)
    attention_resolved_at = models.DateTimeField(null=True, blank=True)
    attention_resolved_by = user_field(null=True, blank=True)

    class Meta:
        ordering = ["-met_on", "-id"]
        verbose_name = _("mentor meeting")
        verbose_name_plural = _("mentor meetings")
        indexes = [
            models.Index(fields=["case", "-met_on"], name="meeting_case_recent"),
            models.Index(
                fields=["needs_attention", "attention_resolved_at"], name="meeting_attention"
            ),
        ]
        constraints = [
            in_range("duration_minutes", 1, 24 * 60, name="meeting_duration_range"),
        ]

    def __str__(self) -> str:
        return f"Meeting {self.pk} on case {self.case_id}"


class ClosureReason(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    INTERRUPTED = "interrupted", _("Interrupted by the person")
    STOPPED_CRIME = "stopped_crime", _("Stopped: new serious crime")
    STOPPED_AGREEMENT = "stopped_agreement", _("Stopped: agreement broken")
    MOVED_ABROAD = "moved_abroad", _("Moved abroad")
    DECEASED = "deceased", _("Deceased")


@guarded
class CaseClosure(models.Model):
    """How and why an exit course ended, with the closing summary."""

    case = one_case_field("closure")
    reason = models.CharField(_("reason"), max_length=20, choices=ClosureReason.choices)
    summary = models.TextField(_("closing summary"))
    closed_by = user_field()
    closed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [not_blank("summary", name="closure_summary_required")]

    def __str__(self) -> str:
        return f"Closure of case {self.case_id}: {self.reason}"
