"""Infrastructure tables: the answers to writes sent with an idempotency key."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from vejud.core.crypto import EncryptedTextField


class IdempotentRequest(models.Model):
    """The answer to a write sent with a key, committed in the write's own transaction.

    A client that repeats the request with the same key (after a 503, a timeout, a lost
    connection) gets this answer again instead of a second write (``vejud.core.idempotency``).
    The body may hold personal data: it is encrypted, and rows go after a day.
    """

    # Whose key: a hash of the API token, or the session user (never shared between them).
    scope = models.CharField(max_length=80)
    key = models.CharField(max_length=200)
    # SHA-256 of the method, path and content: the same key with other content is refused.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=2000, blank=True)
    body = EncryptedTextField(blank=True)  # base64 of the response body
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotent_request_key")
        ]

    def __str__(self) -> str:
        return f"{self.scope[:12]} {self.key[:12]} -> {self.status}"
