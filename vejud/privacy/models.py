"""What data protection records: each subject-access export (GDPR art. 15) and what it withheld."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vejud.audit.guard import guarded
from vejud.people.models import Person


@guarded
class SubjectAccessExport(models.Model):
    """One export of everything held on a person, with the parts withheld and why.

    The export's content is built again from the records on each download (never stored), so
    it holds nothing a later correction or anonymisation would have to reach. ``withheld``
    lists ``{"item": key, "label": text, "reason": text}`` for each part kept back.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("produced"), default=timezone.now)
    withheld = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("subject-access export")
        verbose_name_plural = _("subject-access exports")

    def __str__(self) -> str:
        return f"Subject-access export {self.pk} of person {self.person_id}"
