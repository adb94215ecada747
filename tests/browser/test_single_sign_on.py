"""Single sign-on in the browser (issue 20): from vejud's login page through the login form of
a real OpenID Connect provider (``oidc-provider`` on Node.js, ``vejud.testing.oidc``) to the
caseload; a login without an accepted ``acr`` continues at vejud's TOTP step."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from vejud_browser import Session

from vejud.accounts import sso as sso_module
from vejud.accounts.models import ProviderSubject, User
from vejud.accounts.sso import subject_link
from vejud.testing import World
from vejud.testing.oidc import OidcProvider, password, run_provider

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_provider(live_server: Any) -> Iterator[OidcProvider]:
    with run_provider([live_server.url], backchannel_base=live_server.url) as provider:
        yield provider


@pytest.fixture
def provider(settings: Any, live_provider: OidcProvider) -> OidcProvider:
    sso_module._discovered.clear()
    settings.VEJUD_OIDC_PROVIDERS = live_provider.vejud_settings("test", "wrongaud")
    return live_provider


def link(provider: OidcProvider, sub: str, user: User, actor: User) -> None:
    subject = ProviderSubject.objects.create(
        name="test", issuer=provider.issuer, subject=sub, confirmed=False
    )
    subject_link(actor=actor, subject=subject, user=user)


def provider_login(session: Session, sub: str, label: str = "Test IdP (test)") -> None:
    """vejud's login page → the provider's button → the provider's own login form."""
    page = session.page
    page.goto(session.url("/sager/"))
    expect(page).to_have_url(re.compile(r"/konto/log-ind/"))
    page.get_by_role("link", name=session.t("Sign in with %(label)s") % {"label": label}).click()
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    page.get_by_label("Username").fill(sub)
    page.get_by_label("Password").fill(password(sub))
    page.get_by_role("button", name="Sign in").click()


def test_provider_login_to_the_caseload(
    bworld: World, provider: OidcProvider, open_browser: Callable[..., Session]
) -> None:
    link(provider, "anna", bworld.coordinator_a, bworld.sysadmin)
    session = open_browser(bworld.coordinator_a, login=False)
    provider_login(session, "anna")
    expect(session.page).to_have_url(session.url("/sager/"))
    expect(session.page.get_by_role("heading", level=1)).to_be_visible()


def test_acr_not_accepted_continues_at_the_totp_step(
    bworld: World, provider: OidcProvider, open_browser: Callable[..., Session]
) -> None:
    link(provider, "bo", bworld.member_a, bworld.sysadmin)
    session = open_browser(bworld.member_a, login=False)
    provider_login(session, "bo")
    page = session.page
    expect(page).to_have_url(re.compile(r"/konto/to-faktor/"))
    page.get_by_label(session.t("Code"), exact=True).fill(session.code())
    page.get_by_role("button", name=session.t("Sign in"), exact=True).click()
    expect(page).to_have_url(session.url("/sager/"))


def test_unlinked_subject_and_refused_token_end_on_clear_pages_without_a_session(
    bworld: World, provider: OidcProvider, open_browser: Callable[..., Session]
) -> None:
    link(provider, "anna", bworld.member_a, bworld.sysadmin)
    session = open_browser(bworld.member_a, login=False)
    page = session.page
    provider_login(session, "dorte")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        session.t("Your login is not linked to a vejud user yet")
    )
    page.goto(session.url("/sager/"))
    expect(page).to_have_url(re.compile(r"/konto/log-ind/"))
    session.context.clear_cookies()  # the provider's own session too: its form again
    provider_login(session, "anna", label="Test IdP (wrongaud)")
    expect(page.get_by_role("heading", level=1)).to_have_text(session.t("Sign-in refused"))
    message = session.t("The sign-in was issued for another application (wrong audience).")
    expect(page.get_by_text(message)).to_be_visible()
    page.goto(session.url("/sager/"))
    expect(page).to_have_url(re.compile(r"/konto/log-ind/"))


def test_invitation_link_to_the_caseload_and_used_once(
    bworld: World, provider: OidcProvider, open_browser: Callable[..., Session]
) -> None:
    """The administrator's link: the invited person opens it, signs in at the provider and
    lands in vejud as the invited user; the same link again is refused with the reason."""
    from vejud.accounts.invitations import invitation_create

    _invitation, raw = invitation_create(actor=bworld.sysadmin, user=bworld.coordinator_b)
    session = open_browser(bworld.coordinator_b, language="en", login=False)
    page = session.page
    page.goto(session.url(f"/konto/invitation/{raw}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitation to vejud")
    expect(page.get_by_text(bworld.coordinator_b.full_name, exact=False)).to_be_visible()
    page.get_by_role("link", name="Sign in with Test IdP (test)").click()
    page.get_by_label("Username").fill("dorte")
    page.get_by_label("Password").fill(password("dorte"))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/sager/|/$|/oversigt"))
    assert ProviderSubject.objects.get(subject="dorte").user == bworld.coordinator_b
    session.context.clear_cookies()
    page.goto(session.url(f"/konto/invitation/{raw}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitation refused")
    expect(page.get_by_role("alert")).to_contain_text("already been used")
    page.goto(session.url("/sager/"))
    expect(page).to_have_url(re.compile(r"/konto/log-ind/"))


def test_disabled_at_the_provider_the_browser_is_signed_out(
    bworld: World, provider: OidcProvider, open_browser: Callable[..., Session]
) -> None:
    """The provider's administrator disables the account: the provider posts its logout token
    to vejud (back-channel logout, over HTTP to the live server), and the open browser's next
    page is the login page; the provider refuses the account's next login."""
    link(provider, "erik", bworld.member_a, bworld.sysadmin)
    session = open_browser(bworld.member_a, language="en", login=False)
    page = session.page
    provider_login(session, "erik")
    expect(page).to_have_url(session.url("/sager/"))
    try:
        answer = provider.control("disable", "erik")
        # Delivered to each client vejud has configured; the others are refused (400).
        assert "vejud-test" in answer["delivered"], answer
        page.goto(session.url("/sager/"))
        expect(page).to_have_url(re.compile(r"/konto/log-ind/"))
        session.context.clear_cookies()
        provider_login(session, "erik")
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in refused")
        page.goto(session.url("/sager/"))
        expect(page).to_have_url(re.compile(r"/konto/log-ind/"))
    finally:
        provider.enable("erik")
