"""Model fields that refer to users, and the abstract record of who created a row and when."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


def user_field(*, related_name: str = "+", **options: Any) -> models.ForeignKey:
    """A reference to a user: who made or did something to a record, or is named on it.

    PROTECT: a user a record names is never deleted from under it. Without
    ``related_name`` the user gets no reverse accessor.
    """
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name=related_name, **options
    )


class CreatedRecord(models.Model):
    """A row that keeps who created it (``created_by``) and when (``created_at``).

    Abstract: the two columns are the subclass's own; its ``Meta`` is its own too.
    """

    created_by = user_field()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
