"""Advice and guidance (rådgivning): a unit asks the national contact point about a case or a
general question; advisers see only the parts the unit attached, for a period the unit controls.

A request tied to a case shares chosen parts of it (the instruments, the plan, the follow-up,
journal notes picked one by one) until ``access_until`` or until the request is closed: the
access rule reads the dates, so no job is needed for access to end. The thread between the
unit and the advisers is ``AdviceMessage``; notes between advisers are ``AdviceNote``, a table
of their own that no query of the unit's side reads.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vejud.accounts.fields import user_field
from vejud.audit.guard import guarded
from vejud.cases.fields import case_field
from vejud.cases.models import JournalEntry
from vejud.core.constraints import not_blank
from vejud.core.fields import status_field
from vejud.organisations.fields import unit_field


class Topic(models.TextChoices):
    MOTIVATION = "motivation", _("Motivation")
    SUITABILITY = "suitability", _("Suitability")
    TARGET_GROUP = "target_group", _("Target group")
    SAFETY = "safety", _("Safety and threats")
    RELOCATION = "relocation", _("Relocation")
    POOL = "pool", _("Use of the central pool")
    CUSTODY = "custody", _("Custody and release")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class AdviceStatus(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned to an adviser")
    WAITING = "waiting", _("Waiting for the unit")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class Judgement(models.TextChoices):
    SUFFICIENT = "sufficient", _("Sufficient")
    INSUFFICIENT = "insufficient", _("Not sufficient")
    UNCLEAR = "unclear", _("Cannot be judged yet")


@guarded
class AdviceRequest(models.Model):
    """A unit's question to the national contact point, optionally about one case."""

    unit = unit_field(related_name="advice_requests")
    requested_by = user_field(related_name="advice_requests")
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    urgency_reason = models.TextField(_("why it is urgent"), blank=True)
    question = models.TextField(_("question"))
    case = case_field("advice_requests", null=True, blank=True)
    attach_instruments = models.BooleanField(_("the instruments"), default=False)
    attach_plan = models.BooleanField(_("the plan"), default=False)
    attach_followup = models.BooleanField(_("the follow-up"), default=False)
    journal_entries = models.ManyToManyField(
        JournalEntry, blank=True, related_name="+", verbose_name=_("journal notes")
    )
    access_until = models.DateTimeField(_("advisers' access until"), null=True, blank=True)
    status = status_field(AdviceStatus.NEW, max_length=10)
    assigned_to = user_field(
        null=True, blank=True, related_name="advice_assigned", verbose_name=_("adviser")
    )
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("advice request")
        verbose_name_plural = _("advice requests")
        indexes = [
            models.Index(fields=["unit", "status", "-created_at"], name="advice_unit_status"),
            models.Index(fields=["status", "created_at"], name="advice_queue"),
        ]
        constraints = [
            not_blank("question", name="advice_question_not_empty"),
            models.CheckConstraint(
                condition=~Q(urgency="urgent") | ~Q(urgency_reason=""),
                name="advice_urgent_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(case__isnull=False)
                | Q(
                    attach_instruments=False,
                    attach_plan=False,
                    attach_followup=False,
                    access_until__isnull=True,
                ),
                name="advice_general_shares_nothing",
            ),
        ]

    def __str__(self) -> str:
        return f"Advice request {self.pk}"


class ThreadEntry(models.Model):
    """Who wrote on a request and when: a message of the thread or an advisers' note."""

    author = user_field()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk} on request {self.request_id}"  # type: ignore[attr-defined]


@guarded
class AdviceMessage(ThreadEntry):
    """One message of the thread: the unit's follow-up, an adviser's question or the answer."""

    request = models.ForeignKey(AdviceRequest, on_delete=models.PROTECT, related_name="messages")
    from_unit = models.BooleanField(default=False)
    is_answer = models.BooleanField(_("the answer"), default=False)
    text = models.TextField(_("text"))
    motivation = models.CharField(
        _("motivation"), max_length=20, choices=Judgement.choices, blank=True
    )
    suitability = models.CharField(
        _("suitability"), max_length=20, choices=Judgement.choices, blank=True
    )
    reasons = models.TextField(_("reasons for the recommendation"), blank=True)

    class Meta(ThreadEntry.Meta):
        verbose_name = _("advice message")
        verbose_name_plural = _("advice messages")
        constraints = [
            not_blank("text", name="advice_message_not_empty"),
            models.CheckConstraint(
                condition=Q(is_answer=True) | Q(motivation="", suitability="", reasons=""),
                name="advice_recommendation_only_in_answer",
            ),
        ]


@guarded
class AdviceNote(ThreadEntry):
    """A note between advisers on a request: never shown to the unit (page, API, export)."""

    request = models.ForeignKey(AdviceRequest, on_delete=models.PROTECT, related_name="notes")
    text = models.TextField(_("internal note"))

    class Meta(ThreadEntry.Meta):
        verbose_name = _("internal advice note")
        verbose_name_plural = _("internal advice notes")
        constraints = [
            not_blank("text", name="advice_note_not_empty"),
        ]
