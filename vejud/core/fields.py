"""Field declarations that many models share."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


def status_field(
    initial: models.TextChoices, *, max_length: int = 20, **options: Any
) -> models.CharField:
    """A row's status: a value of ``initial``'s choices, ``initial`` until something changes it."""
    return models.CharField(
        _("status"),
        max_length=max_length,
        choices=type(initial).choices,
        default=initial,
        **options,
    )
