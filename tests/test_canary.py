"""The canary: a planted protected address and CPR number never leak (issue 19).

A person is registered through the services with a CPR number and a protected address that
carry unique markers, on a full exit course in unit A (decision, agreement, plan, mentor,
review, transfer, pool application), with unit A's coordinator as the address's one named
custodian. Then, as every role of the authorisation matrix's cast, the test reads:

- every page reachable by same-origin GET links (``href``, ``hx-get``) from the start page,
  plus every page route naming the planted case or person and every export (PDF, XLSX,
  calendar), bounded to one URL per URL pattern (and per "names the planted case or not");
- every GET operation of the OpenAPI document, with the planted case's ids filled in;
- PDF text (pypdf) and XLSX cells (openpyxl) of every export answered;
- the log output of the whole run (every logger, and what reached stdout/stderr);
- a dump of the database: the SQLite database image (the file's bytes), or ``pg_dump`` of
  the PostgreSQL test database (a ``COPY`` of every table when ``pg_dump`` is missing).

The markers may appear only on the protected-address pages, for the named custodian, and
nowhere in plaintext in the dump. ``test_canary_reports_an_address_in_a_list`` shows the
canary fails when a list prints the address.
"""

from __future__ import annotations

import dataclasses
import html
import io
import logging
import os
import re
import shutil
import subprocess
from base64 import b32encode
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from tests.test_authz_matrix import (
    ROLES,
    Matrix,
    api_operations,
    build_url,
    fill,
    matrix,  # noqa: F401 (the matrix's world: fillers, tokens, signed-in clients)
    page_routes,
    with_pool_data,
)
from tests.test_authz_matrix import Route as MatrixRoute
from vejud.cases.services import journal_add
from vejud.testing.builders import make_full_course, protect_address

# Markers: letters and digits only, so neither HTML escaping nor PDF text extraction hides them.
ADDRESS_MARKER = "KANARI7QZX41"
ADDRESS = f"Kanarievej {ADDRESS_MARKER} 3, 9990 Skagen"
CPR = "2307814829"
CPR_BIRTH = date(1981, 7, 23)
MARKERS = {
    "address": (ADDRESS_MARKER,),
    "cpr": (CPR, f"{CPR[:6]}-{CPR[6:]}"),
}
CUSTODIANS = frozenset({"coordinator_a"})  # protect_address: unit A's coordinator registers it
ADDRESS_PAGES = frozenset(
    {"cases:protected_address", "cases:protected_address_edit", "cases:protected_address_new"}
)
EXPORT_SUFFIXES = (".pdf", ".xlsx", ".ics", ".csv", ".json")
MAX_PER_ROLE = 250  # requests per role, a backstop to the per-pattern bound


@dataclass
class Canary:
    m: Matrix
    reference: str
    public_id: str
    findings: list[str] = field(default_factory=list)
    seen_on_address_page: set[str] = field(default_factory=set)
    requests: int = 0
    exports: int = 0


def _found(text: str) -> list[str]:
    """Return the markers (by name) in ``text``, also with whitespace and escapes removed."""
    variants = (text, html.unescape(text), re.sub(r"\s+", "", html.unescape(text)))
    return sorted(
        name
        for name, needles in MARKERS.items()
        if any(needle in variant for needle in needles for variant in variants)
    )


def _texts(response: Any) -> tuple[list[str], bool]:
    """Return the texts of an answer (body, PDF text, XLSX cells) and whether it is an export."""
    body = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    content_type = response.get("Content-Type", "")
    texts = [body.decode("utf-8", errors="replace")]
    if content_type.startswith("application/pdf"):
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        try:
            reader = PdfReader(io.BytesIO(body))
            texts.append("\n".join(page.extract_text() or "" for page in reader.pages))
        except PdfReadError:
            return texts, False  # the matrix's stand-in attachment: only its bytes are read
        texts.append(str(reader.metadata or ""))
        return texts, True
    if "spreadsheetml" in content_type:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        texts.append(
            "\n".join(
                str(value)
                for sheet in book.worksheets
                for row in sheet.iter_rows(values_only=True)
                for value in row
                if value is not None
            )
        )
        return texts, True
    return texts, not content_type.startswith(("text/html", "application/json"))


def _names_planted(canary: Canary, path: str) -> bool:
    return canary.reference in path or canary.public_id in path


def _allowed(canary: Canary, role: str, url: str) -> bool:
    """The one place the markers may appear: the address pages, for a named custodian."""
    if role not in CUSTODIANS:
        return False
    path = urlsplit(url).path
    if path.startswith("/api/"):
        return "protected-address" in path and _names_planted(canary, path)
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.view_name in ADDRESS_PAGES and match.kwargs.get("reference") == canary.reference


def _check(canary: Canary, role: str, method: str, url: str, response: Any) -> None:
    canary.requests += 1
    texts, export = _texts(response)
    canary.exports += export
    found = sorted({name for text in texts for name in _found(text)})
    if not found:
        return
    if _allowed(canary, role, url):
        canary.seen_on_address_page.update(found)
        return
    canary.findings.append(f"{role}: {method} {url} ({response.status_code}) shows {found}")


LINK = re.compile(r"""(?:href|hx-get)\s*=\s*["']([^"']+)["']""")


def _links(base: str, response: Any) -> Iterable[str]:
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    for raw in LINK.findall(response.content.decode("utf-8", errors="replace")):
        url = urljoin(base, html.unescape(raw))
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        if parts.path.startswith(("/static/", "/media/")):
            continue
        yield parts.path + (f"?{parts.query}" if parts.query else "")


def _pattern(canary: Canary, url: str) -> tuple[str, tuple[str, ...], bool] | None:
    """Return the URL's pattern: its route, its query's names and whether it names the canary."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    keys = tuple(sorted({k for k, _v in parse_qsl(parts.query, keep_blank_values=True)}))
    return match.view_name, keys, _names_planted(canary, parts.path)


def _seeds(canary: Canary, role: str) -> list[str]:
    """Besides the start page: the planted case's and person's pages (the crawl goes on from
    there by links) and every export with the planted case's ids (PDF, XLSX, calendar)."""
    seeds = [
        "/",
        reverse("cases:detail", kwargs={"reference": canary.reference}),
        reverse("people:detail", kwargs={"public_id": canary.public_id}),
    ]
    for route in page_routes():
        if route.namespace in ("admin", "api") or not route.template.endswith(EXPORT_SUFFIXES):
            continue
        url, missing = build_url(route, canary.m, role, "liberty")
        if not missing:
            seeds.append(url)
    return seeds


def read_address(canary: Canary, role: str) -> None:
    """The protected-address view itself: the address is shown after a reason is given."""
    client = canary.m.client(role)
    url = reverse("cases:protected_address", kwargs={"reference": canary.reference})
    response = client.post(url, {"reason": "Canary: checking the address is shown."})
    _check(canary, role, "POST", url, response)


def crawl_pages(canary: Canary, role: str) -> None:
    """Follow same-origin GET links from the start page (and the seeds), one URL a pattern."""
    client = canary.m.client(role)
    queue = deque(_seeds(canary, role))
    patterns: set[Any] = set()
    done = 0
    while queue and done < MAX_PER_ROLE:
        url = queue.popleft()
        pattern = _pattern(canary, url)
        if pattern is None or pattern in patterns:
            continue
        patterns.add(pattern)
        if pattern[0] in ("accounts:logout", "set_language"):
            continue
        response = client.get(url)
        done += 1
        _check(canary, role, "GET", url, response)
        queue.extend(_links(url, response))


def crawl_api(canary: Canary, role: str) -> None:
    """Every GET operation of the OpenAPI document, with the planted case's ids filled in."""
    headers = (
        {} if role == "anonymous" else {"Authorization": f"Bearer {canary.m.api_tokens[role]}"}
    )
    client = Client(raise_request_exception=False)
    for method, path, operation in api_operations():
        if method != "GET":
            continue
        route = MatrixRoute(path.lstrip("/"), operation.get("operationId", path), "api", None)
        params = re.findall(r"\{(\w+)\}", path)
        url = path.format(**{p: fill(route, p, canary.m, role, "liberty") for p in params})
        _check(canary, role, "GET", url, client.get(url, headers=headers))


def database_dump() -> bytes:
    """Return the database as stored: SQLite's database image, or pg_dump's (COPY's) text."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        return bytes(connection.connection.serialize())
    settings = connection.settings_dict
    pg_dump = shutil.which("pg_dump")
    if pg_dump:
        env = {**os.environ, "PGPASSWORD": str(settings.get("PASSWORD") or "")}
        command = [pg_dump, "--no-owner", "--dbname", str(settings["NAME"])]
        for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
            if settings.get(key):
                command += [flag, str(settings[key])]
        result = subprocess.run(command, env=env, capture_output=True, check=False)
        if result.returncode == 0:
            return result.stdout
    chunks: list[bytes] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            name = connection.ops.quote_name(table)
            with cursor.connection.cursor().copy(f"COPY {name} TO STDOUT") as copy:
                chunks.extend(bytes(data) for data in copy)
    return b"".join(chunks)


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines() -> Iterable[list[str]]:
    """Every log record of the test (application and Django loggers down to DEBUG)."""
    capture = _Capture()
    capture.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    lowered = [logging.getLogger(name) for name in ("vejud", "django.request", "django.security")]
    levels = [logger.level for logger in lowered]
    root.addHandler(capture)
    for logger in lowered:
        logger.setLevel(logging.DEBUG)
    try:
        yield capture.lines
    finally:
        root.removeHandler(capture)
        for logger, level in zip(lowered, levels, strict=True):
            logger.setLevel(level)


@pytest.fixture
def canary(transactional_db: None, matrix: Matrix) -> Canary:  # noqa: F811
    """Plant the markers on a full course in unit A; the matrix's fillers use it as 'liberty'."""
    world = matrix.world
    course = make_full_course(
        world, first_name="Kanut", last_name="Fuglesang", cpr=CPR, birth_date=CPR_BIRTH
    )
    case = course.case
    protect_address(world, case, ADDRESS)
    # A non-custodian reports the same address: it is kept for the custodians only.
    from vejud.people.services import protected_address_set

    protected_address_set(
        actor=world.member_a, person=case.person, case=case, address=ADDRESS, reason="Moved."
    )
    matrix.cases["liberty"] = case
    # The course's own objects fill the URLs (a case holds one pending transfer at a time).
    for name, pk in course.ids().items():
        if name != "case":
            matrix.cache[(f"{name}_id", "", "liberty")] = str(pk)
    matrix.entries["liberty"] = journal_add(actor=world.member_a, case=case, text="Canary note.")
    with_pool_data(matrix)
    return Canary(m=matrix, reference=case.reference, public_id=str(case.person.public_id))


def test_canary(canary: Canary, log_lines: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    for role in ROLES:
        crawl_pages(canary, role)
        read_address(canary, role)
        crawl_api(canary, role)
    for line in log_lines:
        if _found(line):
            canary.findings.append(f"log: {line[:300]}")
    captured = capsys.readouterr()
    for stream, text in (("stdout", captured.out), ("stderr", captured.err)):
        if _found(text):
            canary.findings.append(f"{stream} shows {_found(text)}")
    dump = database_dump()
    for name, needles in MARKERS.items():
        if any(needle.encode() in dump for needle in needles):
            canary.findings.append(f"database dump ({connection.vendor}) holds the {name}")
    # Nor the second factors' secrets (every role's client has an authenticator device).
    from vejud.accounts.models import AuthenticatorDevice

    for device in AuthenticatorDevice.objects.all():
        if device.key.encode() in dump or b32encode(device.bin_key).rstrip(b"=") in dump:
            canary.findings.append(f"database dump holds the TOTP secret of device {device.pk}")
    assert not canary.findings, "\n".join(canary.findings)
    # The canary can see: the custodian's address page shows the address, and it read exports.
    assert "address" in canary.seen_on_address_page
    assert canary.exports >= 4, canary.exports
    assert len(log_lines) > 0
    assert len(dump) > 100_000


def test_canary_reports_an_address_in_a_list(
    canary: Canary, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A caseload that prints each row's protected address makes the canary fail."""
    from vejud.cases import views
    from vejud.people.models import ProtectedAddress

    rows = views.caseload_rows

    def leaky_rows(cases: Any) -> list[Any]:
        addresses = {a.person_id: a.address for a in ProtectedAddress.objects.all()}
        return [
            dataclasses.replace(row, institution=addresses.get(case.person_id, ""))
            for row, case in zip(rows(cases), cases, strict=True)
        ]

    monkeypatch.setattr(views, "caseload_rows", leaky_rows)
    for role in ("member_a", "coordinator_a", "adviser", "member_b"):
        crawl_pages(canary, role)
    report = "\n".join(canary.findings)
    for role in ("member_a", "coordinator_a", "adviser"):
        assert f"{role}: GET /sager/" in report, report
    assert "['address']" in report
    assert "member_b:" not in report  # unit B's caseload does not hold the case
