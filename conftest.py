"""Shared pytest fixtures: the standard cast (see vejud.testing)."""

from __future__ import annotations

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _english_unless_a_test_says_otherwise(settings):
    """Run tests in English so assertions on messages are stable; the product default is Danish.

    Translation tests (vejud/core/tests/test_translations.py) switch to Danish explicitly.
    """
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty default cache (what one test rendered and kept, such as
    a dashboard body, is not another test's to find)."""
    from django.core.cache import caches

    caches["default"].clear()


@pytest.fixture
def world(db):
    from vejud.testing import make_world

    return make_world()
