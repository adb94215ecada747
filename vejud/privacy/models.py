"""What data protection records: each subject-access export (GDPR art. 15) and what it withheld."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vejud.accounts.fields import user_field
from vejud.audit.guard import guarded
from vejud.people.models import Person


class PersonRecord(models.Model):
    """A data-protection record about one person (never shown in the person's export)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk} (person {self.person_id})"


@guarded
class SubjectAccessExport(PersonRecord):
    """One export of everything held on a person, with the parts withheld and why.

    The export's content is built again from the records on each download (never stored), so
    it holds nothing a later correction or anonymisation would have to reach. ``withheld``
    lists ``{"item": key, "label": text, "reason": text}`` for each part kept back.
    """

    requested_by = user_field()
    created_at = models.DateTimeField(_("produced"), default=timezone.now)
    withheld = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("subject-access export")
        verbose_name_plural = _("subject-access exports")


@guarded
class RetentionHold(PersonRecord):
    """A hold that stops the person's anonymisation while it lasts: why, and who set it."""

    class Kind(models.TextChoices):
        LEGAL_HOLD = "legal_hold", _("Legal hold")
        ARCHIVE = "archive", _("Archive duty")
        COURT_CASE = "court_case", _("Open court case")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reason = models.TextField(_("reason"))
    set_by = user_field()
    set_at = models.DateTimeField(_("set"), default=timezone.now)
    lifted_by = user_field(null=True, blank=True)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lift_reason = models.TextField(_("reason for lifting"), blank=True)

    class Meta:
        verbose_name = _("retention hold")
        verbose_name_plural = _("retention holds")
        indexes = [models.Index(fields=["person", "lifted_at"], name="retention_hold_person")]


@guarded
class Anonymisation(PersonRecord):
    """That a person's records were anonymised, when and by which rule (no removed value)."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("anonymised"), default=timezone.now)
    rule = models.CharField(_("rule"), max_length=20)
    records = models.JSONField(default=dict)  # how many records of each kind were changed

    class Meta:
        verbose_name = _("anonymisation")
        verbose_name_plural = _("anonymisations")


HoldKind = RetentionHold.Kind
