"""Rendered statistics kept by what they are computed from.

A released page body (the national overview, the harmonisation dashboard) is a pure function
of its figures, the selection, the day and the language. It is kept in the cache under the
digest of all of them, so a view reads the figures (a few small queries) and releases, draws
and renders only when one of them changed. Nothing can be stale: a changed figure is another
key. Showing a kept body again releases nothing new: its figures are the release recorded
when it was made.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

CACHE_PREFIX = "vejud.statistics.kept"


def kept_body(name: str, words: Sequence[object], make: Callable[[], str]) -> SafeString:
    """The body ``make`` renders, kept under ``name`` and the digest of ``words`` (plain values:
    their ``repr`` is the key) and the active language."""
    digest = hashlib.sha256(repr([translation.get_language(), *words]).encode()).hexdigest()
    key = f"{CACHE_PREFIX}.{name}:{digest}"
    body = cache.get(key)
    if body is None:
        body = make()
        cache.set(key, body, settings.VEJUD_STATISTICS_KEEP_SECONDS)
    return mark_safe(body)  # noqa: S308  (rendered by the template engine in ``make``, escaped there)
