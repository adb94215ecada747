"""Browser tests: Playwright's sync API driving Debian's Chromium against live_server.

Every page a test opens is watched (``vejud_browser.Problems``): a Content Security
Policy violation in the console, an uncaught script error, a static asset that fails to
load, or an accessibility fault (missing lang, not exactly one <h1>, a skipped heading
level, a duplicate id, a form field without a label) fails the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS
from playwright.sync_api import Browser, BrowserContext, expect, sync_playwright
from vejud_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LOCALES,
    LOGIN_PROVIDER,
    MUNICIPALITY_A,
    TIMEOUT_MS,
    InFlight,
    Problems,
    Session,
)

from vejud.accounts.models import AuthenticatorDevice, User
from vejud.accounts.services import user_language_set
from vejud.assessments.models import CriteriaVersion, MotivationFactor, Programme
from vejud.assessments.reference import load_assessment_reference
from vejud.offers.models import OfferType
from vejud.offers.reference import load_offer_types
from vejud.organisations.models import Municipality, Unit
from vejud.testing import World, make_world
from vejud.testing.oidc import OidcProvider, run_provider

IN_FLIGHT = InFlight()
request_started.connect(IN_FLIGHT.started, dispatch_uid="browser-tests-in-flight-started")
request_finished.connect(IN_FLIGHT.finished, dispatch_uid="browser-tests-in-flight-finished")


@pytest.fixture(scope="module")
def chromium(django_db_setup: None) -> Iterator[Browser]:
    """Start Playwright and Debian's Chromium for one test module.

    While Playwright's sync API runs, its event loop counts as running in this thread,
    so Django gives the test code a second, context-local database connection; it is
    closed when Playwright stops. Module scope (rather than pytest-playwright's
    session-wide Playwright) means no test outside this folder ever runs "inside"
    Playwright's event loop.
    """
    from django.db import connections

    before = connections[DEFAULT_DB_ALIAS]
    with sync_playwright() as playwright:
        during = connections[DEFAULT_DB_ALIAS]
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        expect.set_options(timeout=TIMEOUT_MS)  # a loaded CI machine can be slow
        try:
            yield browser
        finally:
            browser.close()
            if during is not before:
                during.close()


def restore_reference_data() -> None:
    """Load the reference data the migrations ship (idempotent loaders).

    Every transactional test ends with a flush that empties all tables, the criteria,
    motivation factors and offer catalogue included. (Django's serialized rollback
    would restore them, but clashes with the content types that a flush by any other
    transactional test re-creates.)
    """
    load_assessment_reference(Programme, CriteriaVersion, MotivationFactor, Unit)
    load_offer_types(OfferType)


@pytest.fixture
def bworld(transactional_db: None) -> World:
    """The standard cast, committed so the live server sees it; TOTP enrolled for everyone."""
    restore_reference_data()
    world = make_world()
    for user in world.users.values():
        AuthenticatorDevice.objects.create(user=user, name="default", confirmed=True)
    return world


@pytest.fixture
def municipality_a(bworld: World) -> Municipality:
    """A municipality in unit A's police district: inquiries from it are routed to unit A."""
    district = bworld.unit_a.police_district
    assert district is not None
    return Municipality.objects.create(name=MUNICIPALITY_A, police_district=district)


@pytest.fixture
def problems() -> Problems:
    return Problems()


@pytest.fixture(scope="session")
def login_provider(live_server: Any) -> Iterator[OidcProvider]:
    """The test OpenID Connect provider the browsers sign in at when the password login is
    off (``VEJUD_PASSWORD_LOGIN=0``); started only then."""
    with run_provider(
        [live_server.url], backchannel_base=live_server.url, clients={LOGIN_PROVIDER: None}
    ) as provider:
        yield provider


@pytest.fixture
def open_browser(
    transactional_db: None,
    chromium: Browser,
    live_server: Any,
    problems: Problems,
    request: pytest.FixtureRequest,
    settings: Any,
) -> Iterator[Callable[..., Session]]:
    """Return ``open_browser(user, language=None, login=True, start="/sager/")`` → a Session.

    With ``login`` the user opens ``start``, signs in and lands back on it.

    ``language`` sets the user's interface language (through the service) and the
    browser's locale; without it the user keeps their own.
    """

    def sso() -> OidcProvider:
        """The login provider, configured in vejud beside any provider the test has."""
        provider: OidcProvider = request.getfixturevalue("login_provider")
        if LOGIN_PROVIDER not in settings.VEJUD_OIDC_PROVIDERS:
            settings.VEJUD_OIDC_PROVIDERS = {
                **settings.VEJUD_OIDC_PROVIDERS,
                **provider.vejud_settings(LOGIN_PROVIDER),
            }
        return provider

    def _open(
        user: User, language: str | None = None, *, login: bool = True, start: str = "/sager/"
    ) -> Session:
        if language is not None and language != user.language:
            user_language_set(user=user, language=language)
        lang = user.language
        context = chromium.new_context(locale=LOCALES.get(lang, lang), accept_downloads=True)
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        problems.watch(page)
        session = Session(
            user=user, language=lang, context=context, page=page, base_url=live_server.url, sso=sso
        )
        if not session.password_login():
            sso()  # the provider's button is on the login page from the start
        if login:
            session.login(start)
        return session

    contexts: list[BrowserContext] = []
    yield _open
    for context in contexts:
        context.close()
    # Before transactional_db's flush (set up before this fixture, so torn down after it).
    assert IN_FLIGHT.wait_idle(), "the live server still answers a request after 30 s"
    problems.assert_clean()
