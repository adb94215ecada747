"""Model fields that refer to a case."""

from __future__ import annotations

from typing import Any

from django.db import models


def case_field(related_name: str, **options: Any) -> models.ForeignKey:
    """A record's case: PROTECT, a case is never deleted from under the records that name it."""
    return models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name=related_name, **options
    )


def one_case_field(related_name: str) -> models.OneToOneField:
    """The case a record belongs to as its only one of the kind (an agreement, a closure)."""
    return models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name=related_name)
