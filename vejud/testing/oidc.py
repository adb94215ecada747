"""A real OpenID Connect provider for the tests: ``tests/oidc/provider.mjs`` (the npm package
``oidc-provider``) run by Node.js on 127.0.0.1, and a helper that logs in on its form.

The provider has one client per vejud provider name below; the clients with a fault get ID
tokens altered by the provider's token endpoint (another audience, expired, signed by a key
it does not publish), so vejud's checks are tested against real token exchanges.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "tests" / "oidc" / "provider.mjs"
SECRET = "test-client-secret-0123456789-abcdefghij"  # noqa: S105 (test-only client secret)
CONTROL_TOKEN = "test-provider-control-0123456789"  # noqa: S105 (the test provider's admin)
ACCEPTED_ACR = ["substantial", "high"]
# vejud provider name -> the fault the provider's token endpoint adds for its client.
CLIENTS: dict[str, str | None] = {
    "test": None,
    "wrongaud": "aud",
    "expired": "expired",
    "unknownkey": "unknown_key",
}
# sub -> the account at the provider (password "pw-<sub>"); acr/amr as its login reports them.
ACCOUNTS: dict[str, dict[str, Any]] = {
    "anna": {"acr": "high", "amr": ["pwd", "otp"], "email": "anna@idp.test", "name": "Anna"},
    "bo": {"acr": "low", "amr": ["pwd"], "email": "bo@idp.test", "name": "Bo"},
    "carl": {"acr": "substantial", "amr": ["pwd", "hwk"], "email": "carl@idp.test", "name": "C"},
    "dorte": {"acr": "high", "amr": ["pwd", "otp"], "email": "dorte@idp.test", "name": "Dorte"},
    # erik and frida are disabled and enabled again by the back-channel logout tests.
    "erik": {"acr": "high", "amr": ["pwd", "otp"], "email": "erik@idp.test", "name": "Erik"},
    "frida": {"acr": "high", "amr": ["pwd", "otp"], "email": "frida@idp.test", "name": "Frida"},
}


def password(sub: str) -> str:
    return f"pw-{sub}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _LogoutCapture(BaseHTTPRequestHandler):
    """Receives the provider's back-channel logout posts (the tests hand them to vejud)."""

    server: _CaptureServer

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = parse_qs(self.rfile.read(length).decode())
        client = self.path.strip("/")
        self.server.tokens.append((client, body.get("logout_token", [""])[0]))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


class _CaptureServer(ThreadingHTTPServer):
    tokens: list[tuple[str, str]]


@dataclass
class OidcProvider:
    issuer: str
    process: subprocess.Popen[str]
    captured: list[tuple[str, str]] = field(default_factory=list)

    def control(self, action: str, sub: str) -> dict[str, Any]:
        """Disable or enable ``sub`` at the provider (as its administrator would)."""
        response = requests.post(
            f"{self.issuer}/control/{action}/{sub}",
            headers={"Authorization": f"Bearer {CONTROL_TOKEN}"},
            timeout=10,
        )
        response.raise_for_status()
        return dict(response.json())

    def disable(self, sub: str) -> list[str]:
        """Disable ``sub``: the provider refuses its logins and sends back-channel logout
        tokens; return the tokens sent for client ``vejud-test`` (when they were captured)."""
        before = len(self.captured)
        answer = self.control("disable", sub)
        assert not answer["failed"], answer
        return [token for client, token in self.captured[before:] if client == "test"]

    def enable(self, sub: str) -> None:
        self.control("enable", sub)

    def add_account(self, sub: str, *, acr: str = "low", amr: list[str] | None = None) -> None:
        """Add an account to the running provider (password ``password(sub)``)."""
        body = {"password": password(sub), "acr": acr, "amr": amr or ["pwd"]}
        response = requests.post(
            f"{self.issuer}/control/account/{sub}",
            headers={"Authorization": f"Bearer {CONTROL_TOKEN}"},
            json=body,
            timeout=10,
        )
        response.raise_for_status()

    def vejud_settings(self, *names: str) -> dict[str, dict[str, Any]]:
        """``VEJUD_OIDC_PROVIDERS`` for the given client names (default: only "test")."""
        return {
            name: {
                "issuer": self.issuer,
                "client_id": f"vejud-{name}",
                "client_secret": SECRET,
                "accepted_acr": list(ACCEPTED_ACR),
                "label": f"Test IdP ({name})",
                "scopes": "openid email profile",
            }
            for name in (names or ("test",))
        }

    def log_in(
        self,
        authorize_url: str,
        sub: str,
        *,
        browser: requests.Session | None = None,
        secret: str | None = None,
    ) -> str:
        """Follow ``authorize_url`` at the provider, log in on its form as ``sub``; return the
        address the provider sends the browser back to (vejud's callback with code and state)."""
        browser = browser or requests.Session()
        url = authorize_url
        for _step in range(10):
            response = browser.get(url, allow_redirects=False, timeout=10)
            if response.status_code == 200 and "/interaction/" in url:
                action = re.search(r'action="([^"]+)"', response.text)
                assert action, response.text
                response = browser.post(
                    urljoin(url, action.group(1)),
                    data={"login": sub, "password": secret or password(sub)},
                    allow_redirects=False,
                    timeout=10,
                )
            assert response.status_code in (302, 303), (response.status_code, response.text[:500])
            url = urljoin(url, response.headers["Location"])
            if not url.startswith(self.issuer):
                return url
        raise AssertionError("the provider never sent the browser back")


@contextmanager
def run_provider(
    redirect_bases: list[str],
    port: int | None = None,
    backchannel_base: str | None = None,
    clients: dict[str, str | None] | None = None,
) -> Iterator[OidcProvider]:
    """Start the provider with a client per name in ``CLIENTS`` whose callbacks are under each
    of ``redirect_bases`` (e.g. ``http://testserver``); stop it afterwards. Each start makes a
    new signing key (same key id): a restart on the same ``port`` is a key rotation.

    Back-channel logout tokens go to vejud under ``backchannel_base`` (a live server), or,
    when it is None, to a small receiver here that keeps them in ``OidcProvider.captured``
    (for Django's test client, which no provider can reach)."""
    node = shutil.which("node")
    assert node, "Node.js is needed for the OpenID Connect provider of the tests"
    port = port or _free_port()
    issuer = f"http://127.0.0.1:{port}"
    capture = _CaptureServer(("127.0.0.1", 0), _LogoutCapture)
    capture.tokens = []
    threading.Thread(target=capture.serve_forever, daemon=True).start()
    capture_base = f"http://127.0.0.1:{capture.server_address[1]}"

    def backchannel(name: str) -> str:
        if backchannel_base is None:
            return f"{capture_base}/{name}"
        return f"{backchannel_base}/konto/sso/{name}/log-ud/"

    config = {
        "control_token": CONTROL_TOKEN,
        "port": port,
        "issuer": issuer,
        "clients": [
            {
                "client_id": f"vejud-{name}",
                "client_secret": SECRET,
                "fault": fault,
                "redirect_uris": [f"{base}/konto/sso/{name}/retur/" for base in redirect_bases],
                "post_logout_redirect_uris": [f"{base}/konto/log-ind/" for base in redirect_bases],
                "backchannel_logout_uri": backchannel(name),
            }
            for name, fault in (clients or CLIENTS).items()
        ],
        "accounts": {sub: {**data, "password": password(sub)} for sub, data in ACCOUNTS.items()},
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(config, handle)
    process = subprocess.Popen(  # noqa: S603 - our own script, fixed arguments
        [node, str(SCRIPT), handle.name],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=settings.BASE_DIR,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("ready"), f"the OpenID Connect provider did not start: {line!r}"
        _wait_for(issuer)
        yield OidcProvider(issuer=issuer, process=process, captured=capture.tokens)
    finally:
        capture.shutdown()
        capture.server_close()
        process.terminate()
        process.wait(timeout=10)
        Path(handle.name).unlink(missing_ok=True)


def _wait_for(issuer: str) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            requests.get(issuer + "/.well-known/openid-configuration", timeout=2).raise_for_status()
            return
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def callback_path(url: str) -> str:
    """The path and query of vejud's callback address (for Django's test client)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"
