"""Exports built in the background: what was asked for, how far the worker has come, and
the file, kept encrypted in the database in chunks until it expires.

The file lives in the database (``ExportChunk``), not on a disk the web servers and the
worker would have to share; each chunk is a Fernet token of at most ``CHUNK_BYTES`` of the
file, so neither the worker nor a download ever holds the whole file in memory.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vejud.accounts.fields import user_field
from vejud.core.fields import status_field

CHUNK_BYTES = 1024 * 1024


class ExportKind(models.TextChoices):
    DASHBOARD = "dashboard", _("The dashboard's tables (counts, disclosure-controlled)")
    CASE_ROWS = "case_rows", _("Case rows, anonymised (one row per case you may see)")


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", _("Excel (XLSX)")
    PDF = "pdf", "PDF"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


# The state table: every status change an export can make (anything else fails loudly).
TRANSITIONS: dict[str, frozenset[str]] = {
    ExportStatus.QUEUED: frozenset({ExportStatus.RUNNING, ExportStatus.FAILED}),
    ExportStatus.RUNNING: frozenset({ExportStatus.DONE, ExportStatus.FAILED}),
    ExportStatus.DONE: frozenset({ExportStatus.EXPIRED}),
    ExportStatus.FAILED: frozenset({ExportStatus.EXPIRED}),
    ExportStatus.EXPIRED: frozenset(),
}


class Export(models.Model):
    requested_by = user_field(related_name="exports")
    kind = models.CharField(_("what"), max_length=20, choices=ExportKind.choices)
    format = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices)
    # The dashboard's selection (period, unit or district, track) as the form took it.
    parameters = models.JSONField(default=dict)
    status = status_field(ExportStatus.QUEUED, max_length=10)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    capped = models.BooleanField(default=False)  # more rows than the cap: the first ones only
    failure = models.CharField(max_length=300, blank=True)  # why it failed, for the requester
    size = models.PositiveBigIntegerField(default=0)  # bytes of the finished file
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloads = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [
            models.Index(fields=["requested_by", "-id"], name="export_requester"),
            models.Index(
                fields=["expires_at"],
                name="export_expiry",
                condition=Q(status__in=["done", "failed"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="dashboard") | ~Q(format="pdf"), name="export_pdf_dashboard_only"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(expires_at__isnull=False),
                name="export_done_expires",
            ),
        ]

    def __str__(self) -> str:
        return f"Export {self.pk} ({self.kind}, {self.format}, {self.status})"

    @property
    def percent(self) -> int:
        """How far the worker has come, 0-100."""
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    @property
    def finished(self) -> bool:
        return self.status not in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def filename(self) -> str:
        stamp = timezone.localtime(self.created_at).strftime("%Y%m%d-%H%M")
        return f"vejud-{self.kind.replace('_', '-')}-{stamp}.{self.format}"


class ExportChunk(models.Model):
    """One piece of an export's file, encrypted (a Fernet token of at most CHUNK_BYTES)."""

    export = models.ForeignKey(Export, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["export", "number"], name="export_chunk_order")
        ]

    def __str__(self) -> str:
        return f"Chunk {self.number} of export {self.export_id}"
