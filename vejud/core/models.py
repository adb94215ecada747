"""Infrastructure tables: the answers to writes sent with an idempotency key; and the columns
of a stored upload, which the apps' file tables share."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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


class StoredFile(models.Model):
    """An upload as ``vejud.core.uploads.check_upload`` accepted it: a safe file name, the type
    its bytes really are, its size and SHA-256, and the bytes as Fernet ciphertext (the fields
    ``CheckedFile.stored()`` gives). Abstract; the subclass adds who uploaded it and when.
    """

    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()  # Fernet ciphertext of the file (vejud.core.crypto)

    class Meta:
        abstract = True
