"""Model fields that refer to users."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


def user_field(*, related_name: str = "+", **options: Any) -> models.ForeignKey:
    """A reference to a user: who made or did something to a record, or is named on it.

    PROTECT: a user a record names is never deleted from under it. Without
    ``related_name`` the user gets no reverse accessor.
    """
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name=related_name, **options
    )
