"""What a rendered page offers: the case's paths it links, posts or loads, and which are writes."""

from __future__ import annotations

import re

from django.urls import Resolver404, resolve

_TARGETS = re.compile(r'(?:href|action|hx-get|hx-post)="([^"#?]+)')


def case_links(body: str, reference: str) -> set[str]:
    """The paths under the case ``reference`` that ``body`` links, posts or loads."""
    return {path for path in _TARGETS.findall(body) if f"/{reference}/" in path}


def write_pages(paths: set[str]) -> set[str]:
    """Those of ``paths`` that are writes: pages whose gate names who acts on the case
    (``Policy.actors``: a case action's own page, the journal, the protected address's
    registration)."""
    writes = set()
    for path in paths:
        try:
            match = resolve(path)
        except Resolver404:
            continue
        policy = getattr(match.func, "vejud_policy", None)
        if policy is not None and policy.actors:
            writes.add(path)
    return writes


def write_links(body: str, reference: str) -> set[str]:
    """The writes on the case ``reference`` that ``body`` offers."""
    return write_pages(case_links(body, reference))
