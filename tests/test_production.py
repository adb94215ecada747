"""A production run as the README documents it.

gunicorn serves ``vejud.wsgi`` with DEBUG off, freshly generated secrets and
PostgreSQL (the test database), after ``vejud collectstatic`` into a temporary
VEJUD_VAR_DIR; whitenoise serves the hashed static files. And with DEBUG off
the process refuses to start on the demo keys.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Variables that would leak the test or demo configuration into the child process.
INHERITED_PREFIXES = ("VEJUD_", "DJANGO_", "PYTEST_")
INHERITED_NAMES = {"SECRET_KEY", "DEBUG", "DATABASE_URL", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"}


def clean_env(**overrides: str) -> dict[str, str]:
    """Return the environment of a fresh process: no test or demo settings, then ``overrides``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(INHERITED_PREFIXES) and key not in INHERITED_NAMES
    }
    env["DJANGO_SETTINGS_MODULE"] = "vejud.settings"
    env.update(overrides)
    return env


def real_secrets() -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(64),
        "VEJUD_FIELD_KEYS": Fernet.generate_key().decode(),
        "VEJUD_HMAC_KEY": secrets.token_hex(32),
        "VEJUD_AUDIT_KEYS": secrets.token_urlsafe(48),
    }


def start_django(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_debug_off_with_the_demo_keys_refuses_to_start():
    result = start_django(clean_env(DEBUG="0"))

    assert result.returncode != 0
    assert "Refusing to start" in result.stderr
    for name in ("SECRET_KEY", "VEJUD_FIELD_KEYS", "VEJUD_HMAC_KEY", "VEJUD_AUDIT_KEYS"):
        assert name in result.stderr


def test_debug_off_with_one_demo_key_left_refuses_to_start():
    keys = real_secrets()
    del keys["VEJUD_HMAC_KEY"]

    result = start_django(clean_env(DEBUG="0", **keys))

    assert result.returncode != 0
    assert "Refusing to start" in result.stderr
    assert "VEJUD_HMAC_KEY" in result.stderr
    assert "SECRET_KEY," not in result.stderr


def test_debug_off_with_real_keys_starts():
    result = start_django(clean_env(DEBUG="0", **real_secrets()))

    assert result.returncode == 0, result.stderr


def test_check_deploy_with_production_settings_gives_no_warning():
    env = clean_env(
        DEBUG="0",
        ALLOWED_HOSTS="vejud.example.dk",
        VEJUD_VAR_DIR=str(ROOT / "var"),
        **real_secrets(),
    )
    result = subprocess.run(
        [str(BIN / "vejud"), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def database_url() -> str:
    """Return the URL of the test database this test session uses."""
    s = connection.settings_dict
    credentials = quote(s["USER"] or "", safe="")
    if s["PASSWORD"]:
        credentials += ":" + quote(s["PASSWORD"], safe="")
    host = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{s['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    port: int
    static_root: Path

    def get(
        self, path: str, headers: dict[str, str] | None = None, *, https: bool = True
    ) -> http.client.HTTPResponse:
        """GET ``path`` as the TLS-terminating proxy forwards it (``https=False``: plain HTTP)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"X-Forwarded-Proto": "https"} if https else {}
        sent.update(headers or {})
        conn.request("GET", path, headers=sent)
        response = conn.getresponse()
        response.body = response.read()  # type: ignore[attr-defined]
        conn.close()
        return response


def run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(
        args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, f"{args[:3]} failed:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="module")
def production(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Collect static files and start gunicorn as production would, on the test database."""
    if connection.vendor != "postgresql":
        pytest.skip("the production run is tested on PostgreSQL (DATABASE_URL=postgres://...)")
    var_dir = tmp_path_factory.mktemp("var")
    port = free_port()
    env = clean_env(
        DEBUG="0",
        DATABASE_URL=database_url(),
        VEJUD_VAR_DIR=str(var_dir),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        **real_secrets(),
    )
    run([str(BIN / "vejud"), "check", "--deploy", "--fail-level", "WARNING"], env)
    run([str(BIN / "vejud"), "collectstatic", "--noinput", "-v0"], env)
    log = (var_dir / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "vejud.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (var_dir / "gunicorn.log").read_text()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start within 60 s"
                time.sleep(0.2)
        yield Server(port=port, static_root=var_dir / "static")
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.mark.postgres
@pytest.mark.django_db  # so pytest-django creates the test database gunicorn uses
def test_login_page_answers_with_security_headers(production: Server):
    response = production.get(reverse("accounts:login"))

    assert response.status == 200
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self' 'nonce-" in csp
    assert "'unsafe-inline'" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    assert "no-store" in response.headers["Cache-Control"]
    cookies = response.headers.get_all("Set-Cookie") or []
    assert cookies
    assert all("Secure" in cookie and "HttpOnly" in cookie for cookie in cookies)


@pytest.mark.postgres
@pytest.mark.django_db
def test_pages_link_the_hashed_static_files(production: Server):
    page = production.get(reverse("accounts:login")).body.decode()  # type: ignore[attr-defined]

    assert "/static/dkfds/css/dkfds.min.css" not in page
    assert "/static/dkfds/css/dkfds.min." in page


@pytest.mark.postgres
@pytest.mark.django_db
def test_whitenoise_serves_the_design_system(production: Server):
    plain = production.get("/static/dkfds/css/dkfds.min.css")
    hashed_name = next((production.static_root / "dkfds" / "css").glob("dkfds.min.*.css"))
    hashed = production.get(
        f"/static/dkfds/css/{hashed_name.name}", headers={"Accept-Encoding": "br, gzip"}
    )

    assert plain.status == 200
    assert plain.headers["Content-Type"].startswith("text/css")
    assert hashed.status == 200
    assert "immutable" in hashed.headers["Cache-Control"]
    assert hashed.headers["Content-Encoding"] in {"br", "gzip"}


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_case_page_sends_a_visitor_to_the_login(production: Server):
    path = reverse("cases:detail", kwargs={"reference": "EX-2026-00001"})

    response = production.get(path)

    assert response.status == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == reverse("accounts:login")
    assert quote(path, safe="") in location.query or path in location.query


@pytest.mark.postgres
@pytest.mark.django_db
def test_health_check_answers_without_login(production: Server):
    assert production.get(reverse("portal:healthz")).status == 200
    # The load balancer probes over plain HTTP: no redirect for the health check.
    assert production.get(reverse("portal:healthz"), https=False).status == 200


@pytest.mark.postgres
@pytest.mark.django_db
def test_plain_http_is_redirected_to_https(production: Server):
    response = production.get(reverse("accounts:login"), https=False)

    assert response.status == 301
    assert response.headers["Location"].startswith("https://")


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_api_forbids_storing_its_answers(production: Server):
    response = production.get("/api/v1/me", headers={"Authorization": "Bearer nope"})

    assert response.status == 401
    assert "no-store" in response.headers["Cache-Control"]
    assert "camera=()" in response.headers["Permissions-Policy"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_huge_upload_is_refused_before_its_body_is_sent(production: Server):
    conn = http.client.HTTPConnection("127.0.0.1", production.port, timeout=20)
    conn.putrequest("POST", "/api/v1/cases/EX-2026-00001/grants/1/attachments")
    conn.putheader("X-Forwarded-Proto", "https")
    conn.putheader("Content-Type", "multipart/form-data; boundary=B")
    conn.putheader("Content-Length", str(2 * 1024**3))
    conn.endheaders()  # no body at all: a server that waited for it would time out
    started = time.monotonic()
    response = conn.getresponse()
    body = response.read()
    conn.close()

    assert response.status == 413
    assert json.loads(body) == {"detail": "Filen er større end 10 MB."}  # Danish by default
    assert time.monotonic() - started < 10
