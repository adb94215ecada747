"""Small writes that many services make the same way.

``stamp`` records who did something to a row and when (the ``<event>_by`` and
``<event>_at`` columns that decided, answered, resolved, reviewed and signed rows carry),
together with the other values the event sets, and saves only those columns. Services call
it inside their audited transaction; it writes no audit record of its own.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

M = TypeVar("M", bound=models.Model)


def save_fields(obj: M, **values: Any) -> M:
    """Set ``values`` on ``obj`` and save only those columns."""
    for name, value in values.items():
        setattr(obj, name, value)
    obj.save(update_fields=list(values))
    return obj


def stamp(obj: M, event: str, actor: Any, **values: Any) -> M:
    """Record that ``actor`` did ``event`` to ``obj`` now (``<event>_by``, ``<event>_at``),
    with the other ``values`` of the event, saving only those columns."""
    return save_fields(obj, **{f"{event}_by": actor, f"{event}_at": timezone.now()}, **values)


def lock_unstamped(obj: M, event: str, refusal: str) -> M:
    """Lock ``obj``'s row and return it as it is now, refused (``refusal``, code ``event``)
    when ``event`` is stamped on it already: the check before a ``stamp`` made once."""
    locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    if getattr(locked, f"{event}_at") is not None:
        raise ValidationError(refusal, code=event)
    return locked
