"""Case documents: letters, reports, agreements and other files kept on the case.

The file is sniffed on upload (PDF, PNG or JPEG), size-limited and stored encrypted
(``vejud.core.uploads``); its title is a protected field. A document is marked for the
mentor or not: a mentor sees only those marked (``vejud.access.documents``). A removed
document keeps its record (who, when, why) and loses its content.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vejud.accounts.fields import user_field
from vejud.audit.guard import guarded
from vejud.cases.fields import case_field
from vejud.core.crypto import EncryptedTextField
from vejud.core.models import StoredFile
from vejud.core.uploads import CONTENT_TYPES


class DocumentKind(models.TextChoices):
    LETTER = "letter", _("Letter")
    REPORT = "report", _("Report or statement")
    AGREEMENT = "agreement", _("Agreement or consent")
    IDENTITY = "identity", _("Identity or residence paper")
    OTHER = "other", _("Other document")


@guarded
class CaseDocument(StoredFile):
    """One file on a case, stored encrypted; its downloads are in the access log."""

    case = case_field("documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    title = EncryptedTextField(_("title"))
    for_mentor = models.BooleanField(_("shown to the mentor"), default=False)
    uploaded_by = user_field()
    uploaded_at = models.DateTimeField(default=timezone.now)
    removed_by = user_field(null=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removal_reason = EncryptedTextField(_("reason for removal"), blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("case document")
        verbose_name_plural = _("case documents")
        indexes = [models.Index(fields=["case", "-uploaded_at"], name="casedoc_case_newest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=CONTENT_TYPES), name="casedoc_content_type"
            ),
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True) | Q(removed_by__isnull=False),
                name="casedoc_removal_has_actor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.filename}"

    @property
    def removed(self) -> bool:
        return self.removed_at is not None
