"""Audit trail (every change, HMAC-chained) and access log (every view of person data).

Both tables are append-only: database triggers refuse UPDATE and DELETE, and
``vejud audit verify`` recomputes the keyed chain (and checks it against the signed
checkpoints written outside the database) to detect tampering that went around them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vejud.audit.guard import append_only


@append_only
class AuditEvent(models.Model):
    """One change to person or case data: who, when, what, before/after, why."""

    seq = models.BigIntegerField(unique=True, editable=False)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    case_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    changes = models.JSONField(default=dict)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    # HMAC-SHA256 of the record and prev_hash under the key with this id (vejud.audit.keys).
    hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=16)
    # PostgreSQL: the writing transaction's id, set by a trigger (never by the client); the
    # guard on person and case tables looks for it at commit (vejud.audit.guard).
    txid = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["actor", "-at"], name="audit_actor_recent"),
            models.Index(fields=["txid"], name="audit_txid"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """The newest link of the chain; locked while a transaction appends to it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"head #{self.seq}"


@append_only
class AccessLog(models.Model):
    """A view of a person's data: who, which person/case, which part, when, how."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    case_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    part = models.CharField(max_length=40)
    channel = models.CharField(max_length=20, default="web")
    break_glass = models.BooleanField(default=False)
    # A view by an adviser of the national contact point through an advice request.
    advice = models.BooleanField(default=False, db_default=False)
    reason = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [models.Index(fields=["user", "-at"], name="access_user_recent")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} user {self.user_id} {self.part}"
