"""Helpers for the browser tests: a signed-in user's browser, TOTP codes, the page watch.

Imported by ``conftest.py`` (fixtures) and the test modules (types and helpers).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test.client import AsyncClientHandler, ClientHandler
from django.utils import translation
from django_otp.oath import TOTP
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Response, expect

from vejud.accounts.decorators import REAUTH_AT_KEY
from vejud.accounts.models import AuthenticatorDevice, ProviderSubject, User
from vejud.accounts.sso import subject_link
from vejud.testing import PASSWORD
from vejud.testing.oidc import OidcProvider, password

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
TIMEOUT_MS = 10_000
LOCALES = {"da": "da-DK", "en": "en-GB"}
MUNICIPALITY_A = "Testkommune A"
# With VEJUD_PASSWORD_LOGIN=0 the browser tests sign in at this client of the test provider.
LOGIN_PROVIDER = "login"
LOGIN_PROVIDER_LABEL = "Test IdP (login)"


def tr(language: str, msgid: str) -> str:
    """Return ``msgid`` as the page shows it in ``language`` (works with or without a catalogue)."""
    with translation.override(language):
        return translation.gettext(msgid)


def totp_code(user: User) -> str:
    """Return the next code the user's authenticator would accept, without waiting.

    django-otp refuses a time step it has already accepted, so a second sign-in in the
    same 30 seconds uses the next step inside the device's tolerance (like a phone whose
    clock runs a little fast); the device follows the drift. Never an earlier step: if
    the 30-second boundary passes before the server checks, that one would be too old.
    """
    device = AuthenticatorDevice.objects.get(user=user, confirmed=True)
    for offset in range(device.tolerance + 1):
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + offset)
        totp.time = time.time()
        if totp.t() > device.last_t:
            return f"{totp.token():0{device.digits}d}"
    raise AssertionError("no usable TOTP step")  # pragma: no cover - tolerance is at least 1


A11Y_PREFIX = "vejud-a11y:"

# Runs in every page the tests load (injected by Playwright, so the page's CSP does not
# apply to it) and reports what a screen-reader or keyboard user would trip over.
A11Y_CHECK = """
document.addEventListener("DOMContentLoaded", () => {
  const report = (text) => console.error("PREFIX " + location.pathname + ": " + text);
  if (!document.documentElement.lang) report("<html> has no lang");
  const h1 = document.querySelectorAll("h1").length;
  if (h1 !== 1) report(h1 + " <h1> elements");
  let previous = 0;
  for (const heading of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    const level = Number(heading.tagName[1]);
    if (previous && level > previous + 1) report("heading skips to " + heading.tagName + ": " + heading.textContent.trim());
    previous = level;
  }
  const seen = new Set();
  for (const el of document.querySelectorAll("[id]")) {
    if (seen.has(el.id)) report("duplicate id " + el.id);
    seen.add(el.id);
  }
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (["hidden", "submit", "button", "reset"].includes(el.type)) continue;
    const named = el.labels.length || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || el.title;
    if (!named) report("form field without a label: " + (el.name || el.id || el.outerHTML.slice(0, 80)));
  }
});
""".replace("PREFIX", A11Y_PREFIX)


class InFlight:
    """The live server's requests still being answered (Django's request signals).

    Closing a browser context does not stop the request the server is answering (the case
    page's task panel is fetched after the page has loaded). On SQLite the live server
    shares the test's in-memory database connection, so a request still running while the
    test's flush empties the tables breaks both: the request fails and the flush leaves
    rows behind for the next test. ``wait_idle`` lets a test's browsers finish first.

    A request is the thread answering it (the live server answers each on a thread of its
    own, and sends both signals from it); the test client's requests are not counted (a
    streamed response a test never reads is never closed), and a thread that has ended
    counts no longer, whatever it sent.
    """

    def __init__(self) -> None:
        self._threads: set[int] = set()
        self._changed = threading.Condition()

    def started(self, sender: type, **_: object) -> None:
        if issubclass(sender, ClientHandler | AsyncClientHandler):
            return
        with self._changed:
            self._threads.add(threading.get_ident())
            self._changed.notify_all()

    def finished(self, **_: object) -> None:
        with self._changed:
            self._threads.discard(threading.get_ident())
            self._changed.notify_all()

    def _busy(self) -> bool:
        self._threads &= {thread.ident for thread in threading.enumerate()}
        return bool(self._threads)

    def wait_idle(self, *, quiet: float = 0.2, timeout: float = 30.0) -> bool:
        """Wait until no request has started or run for ``quiet`` seconds (a request
        already sent may not yet have started); False if that did not happen within
        ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while time.monotonic() < deadline:
                if self._busy():
                    self._changed.wait(min(quiet, deadline - time.monotonic()))
                elif not self._changed.wait(quiet):
                    return True
            return False


@dataclass
class Problems:
    """What went wrong in the browser while a test ran."""

    csp: list[str] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)
    failed_assets: list[str] = field(default_factory=list)
    accessibility: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.add_init_script(A11Y_CHECK)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.script_errors.append(str(error)))
        page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        if "content security policy" in message.text.lower():
            self.csp.append(message.text)
        elif message.text.startswith(A11Y_PREFIX):
            self.accessibility.append(message.text.removeprefix(A11Y_PREFIX).strip())

    def _response(self, response: Response) -> None:
        if "/static/" in response.url and response.status >= 400:
            self.failed_assets.append(f"{response.status} {response.url}")

    def assert_clean(self) -> None:
        assert not self.csp, f"CSP violations: {self.csp}"
        assert not self.script_errors, f"script errors: {self.script_errors}"
        assert not self.failed_assets, f"static assets failed: {self.failed_assets}"
        assert not self.accessibility, f"accessibility: {sorted(set(self.accessibility))}"


@dataclass
class Session:
    """One user's browser (own context and cookies) on the live server."""

    user: User
    language: str
    context: BrowserContext
    page: Page
    base_url: str
    sso: Callable[[], OidcProvider] | None = None

    def t(self, msgid: str) -> str:
        return tr(self.language, msgid)

    def code(self) -> str:
        return totp_code(self.user)

    def url(self, path: str) -> str:
        return self.base_url + path

    def login(self, start: str = "/sager/") -> None:
        """Open ``start``, get sent to sign in (password, then TOTP code) and land back on it.

        With the password login switched off (``VEJUD_PASSWORD_LOGIN=0``, issue 20) the
        browser signs in at the test OpenID Connect provider instead (``sign_in``), then
        gives vejud's TOTP code the same way."""
        page, t = self.page, self.t
        page.goto(self.url(start))
        expect(page).to_have_url(re.compile(r"/konto/log-ind/"))
        self.sign_in()
        expect(page).to_have_url(re.compile(r"/konto/to-faktor/"))
        page.get_by_label(t("Code"), exact=True).fill(self.code())
        page.get_by_role("button", name=t("Sign in"), exact=True).click()
        expect(page).to_have_url(self.url(start))

    def sign_in(self) -> None:
        """On vejud's login page: the first factor, up to vejud's two-factor step. With the
        password login on, e-mail and password; with it off (break-glass administrators
        excepted), the test provider's button and its login form (``provider_sign_in``)."""
        if self.password_login():
            page, t = self.page, self.t
            page.get_by_label(t("E-mail address")).fill(self.user.email)
            page.get_by_label(t("Password"), exact=True).fill(PASSWORD)
            page.get_by_role("button", name=t("Continue")).click()
        else:
            self.provider_sign_in()

    def password_login(self) -> bool:
        return bool(settings.VEJUD_PASSWORD_LOGIN or self.user.is_superuser)

    def provider_sign_in(self) -> None:
        """The test provider's button on vejud's login page, then the provider's own form as
        this user. The provider login is linked to the user and reports acr "low", so vejud's
        own TOTP step follows, as after a password."""
        sub = self.provider_account()
        label = self.t("Sign in with %(label)s") % {"label": LOGIN_PROVIDER_LABEL}
        self.page.get_by_role("link", name=label).click()
        self.provider_form(sub)

    def provider_account(self) -> str:
        """This user's account at the test provider, linked to the user; return its sub."""
        assert self.sso is not None, "open_browser gives the session the test provider"
        provider = self.sso()
        sub = f"user-{self.user.pk}"
        provider.add_account(sub)
        if not ProviderSubject.objects.filter(issuer=provider.issuer, subject=sub).exists():
            subject = ProviderSubject.objects.create(
                name=LOGIN_PROVIDER, issuer=provider.issuer, subject=sub, confirmed=False
            )
            subject_link(actor=self.user, subject=subject, user=self.user)
        return sub

    def provider_form(self, sub: str) -> None:
        page = self.page
        expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
        page.get_by_label("Username").fill(sub)
        page.get_by_label("Password").fill(password(sub))
        page.get_by_role("button", name="Sign in").click()

    def confirm_identity(self) -> None:
        """Fill in the re-authentication page (password and a new code; with the password
        login off, the provider's login form again)."""
        page, t = self.page, self.t
        expect(page).to_have_url(re.compile(r"/konto/bekraeft/"))
        if not self.password_login():
            label = t("Sign in again with %(label)s") % {"label": LOGIN_PROVIDER_LABEL}
            page.get_by_role("link", name=label).click()
            self.provider_form(f"user-{self.user.pk}")
            return
        page.get_by_label(t("Password"), exact=True).fill(PASSWORD)
        page.get_by_label(t("Code"), exact=True).fill(totp_code(self.user))
        page.get_by_role("button", name=t("Confirm"), exact=True).click()

    def forget_reauthentication(self) -> None:
        """Make the last password+code check old, as if the user signed in hours ago."""
        cookie = next(c for c in self.context.cookies() if c["name"] == "sessionid")
        store = SessionStore(session_key=cookie["value"])
        store[REAUTH_AT_KEY] = 0
        store.save()
