"""The public front door: the texts the contact point edits, and the inquiries people send.

A submission holds the least that is needed to reach the person safely, encrypted at rest; no
CPR number is asked for. Its content is purged when the unit turns it into an inquiry or
closes it, and after ``VEJUD_PUBLIC_INQUIRY_RETENTION_DAYS`` if nobody did.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vejud.accounts.fields import user_field
from vejud.audit.guard import guarded
from vejud.cases.fields import case_field
from vejud.core.crypto import EncryptedTextField
from vejud.organisations.fields import unit_field
from vejud.organisations.models import Municipality


class TextKey(models.TextChoices):
    """The editable parts of the public pages, in the order they are shown."""

    INTRODUCTION = "introduction", _("Introduction")
    WHAT_EXIT_IS = "what_exit_is", _("What an exit course is and is not")
    HELP = "help", _("The help that can be offered")
    DECISIONS = "decisions", _("Who decides, and a refusal put before the contact point")
    PROTECTION = "protection", _("How information is protected")
    CUSTODY = "custody", _("In prison or custody")
    CONTACT = "contact", _("Contact")
    FORM = "form", _("Before the form")


@guarded
class PublicText(models.Model):
    """One part of the public pages in one language, as it is now (``version`` counts edits)."""

    key = models.CharField(max_length=20, choices=TextKey.choices)
    language = models.CharField(max_length=5, choices=settings.LANGUAGES)
    title = models.CharField(_("heading"), max_length=120)
    body = models.TextField(_("text"), max_length=4000)
    version = models.PositiveIntegerField(default=1)
    changed_by = user_field(null=True, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["key", "language"]
        constraints = [
            models.UniqueConstraint(fields=["key", "language"], name="public_text_once"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.language}) v{self.version}"


@guarded
class PublicTextVersion(models.Model):
    """Every version of a public text, kept: who changed what, and when."""

    text = models.ForeignKey(PublicText, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=120)
    body = models.TextField()
    changed_by = user_field(null=True, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["text", "version"], name="public_text_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.text_id} v{self.version}"


class Sender(models.TextChoices):
    SELF = "self", _("I want to leave a gang myself")
    RELATIVE = "relative", _("I am a relative or friend")
    PROFESSIONAL = "professional", _("I work with the person (e.g. an association or school)")


class Whereabouts(models.TextChoices):
    MUNICIPALITY = "municipality", _("At liberty, in a municipality")
    CUSTODY = "custody", _("In prison or custody")
    UNKNOWN = "unknown", _("I do not know, or would rather not say")


class SubmissionStatus(models.TextChoices):
    NEW = "new", _("Awaiting the unit")
    CONVERTED = "converted", _("Registered as an inquiry")
    CLOSED = "closed", _("Closed")


@guarded
class PublicInquiry(models.Model):
    """A message sent through the public form, routed to the unit that answers it."""

    code = models.CharField(max_length=9, unique=True)  # the receipt's short code
    sender = models.CharField(max_length=20, choices=Sender.choices)
    called = EncryptedTextField(_("what to call the person"))
    phone = EncryptedTextField(_("phone"))
    contact_times = EncryptedTextField(_("when it is safe to call"), blank=True)
    may_leave_message = models.BooleanField(_("a message may be left"), default=False)
    whereabouts = models.CharField(max_length=20, choices=Whereabouts.choices)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    message = EncryptedTextField(_("message"), blank=True)
    unit = unit_field(related_name="public_inquiries")
    institution = unit_field(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    respond_by = models.DateField(_("answer by"))
    status = models.CharField(
        max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.NEW
    )
    handled_by = user_field(null=True, blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.TextField(_("reason"), blank=True)
    case = case_field("+", null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["respond_by", "id"]
        verbose_name = _("public inquiry")
        verbose_name_plural = _("public inquiries")
        indexes = [
            models.Index(fields=["unit", "status", "respond_by"], name="public_inquiry_queue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="new") | Q(handled_at__isnull=False),
                name="public_inquiry_handled_when_done",
            ),
            models.CheckConstraint(
                condition=~Q(status="converted") | Q(case__isnull=False),
                name="public_inquiry_converted_has_case",
            ),
        ]

    def __str__(self) -> str:
        return f"Public inquiry {self.code}"
