"""Model fields that refer to an organisational unit."""

from __future__ import annotations

from typing import Any

from django.db import models


def unit_field(*, related_name: str = "+", **options: Any) -> models.ForeignKey:
    """A reference to a unit: the one responsible, sending, receiving, or named on a record.

    PROTECT: a unit a record names is never deleted from under it (a unit that stops is made
    inactive). Without ``related_name`` the unit gets no reverse accessor.
    """
    return models.ForeignKey(
        "organisations.Unit", on_delete=models.PROTECT, related_name=related_name, **options
    )
