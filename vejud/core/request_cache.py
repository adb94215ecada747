"""Answers that hold for one request: a page asks the same permission question once.

The case page asks "may this user act on this case?" from several panels, and each
answer needs the person's access rules. Inside a request (``RequestCacheMiddleware``)
``request_cached`` keeps the first answer; outside one (tests, commands, tasks) it
computes every time. Any audited write clears it (``vejud.audit.services.audited``),
so a request that changes access rules or moves a case never reads a stale answer.

The case page's panels share their reads of a case the same way (the mentors, transfers,
release plan and signed motivation assessment: ``<app>/selectors.py``), where two panels,
or a panel and the actions it offers, would read the same rows twice.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponseBase

T = TypeVar("T")

_store: ContextVar[dict[Hashable, Any] | None] = ContextVar("vejud_request_cache", default=None)


def request_cached(key: Hashable, compute: Callable[[], T]) -> T:
    """Return the value of ``key`` computed earlier in this request, or compute it now."""
    store = _store.get()
    if store is None:
        return compute()
    try:
        value: T = store[key]
    except KeyError:
        value = store[key] = compute()
    return value


def request_cache_clear() -> None:
    """Forget every answer of this request (called after each audited write)."""
    store = _store.get()
    if store is not None:
        store.clear()


@contextmanager
def request_scope() -> Iterator[None]:
    """Keep answers for the duration of the block, as one request does (the middleware's
    scope; also for a test that counts the queries of what a page asks)."""
    token = _store.set({})
    try:
        yield
    finally:
        _store.reset(token)


class RequestCacheMiddleware:
    """Give each request its own empty cache, dropped when the response is made."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        with request_scope():
            return self.get_response(request)
