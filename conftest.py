"""Shared pytest fixtures: the standard cast (see vejud.core.testing)."""

from __future__ import annotations

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def world(db):
    from vejud.core.testing import make_world

    return make_world()
