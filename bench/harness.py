"""``bench/run``: the pages' latency against the framework's own cost, at two data sizes.

For each data size: a PostgreSQL database holding that many cases (seeded with
``vejud seed-demo --cases N``, or reused), migrated; the benchmark's users and
cases prepared (``bench.prepare``); gunicorn started as the README's production
section runs it (``DEBUG=0``, keys generated for the run, hashed static files);
the users logged in through the real login and TOTP pages. With every size's
server up, every page is driven by concurrent clients, one page and one size at a
time, in rounds in which each size measures the floor (``/ping/``: a tiny template
from one indexed query, same middleware, same server) and then the page: each
page's figures are printed as a ratio to the floor measured alongside it, and the
sizes are compared from the same minutes. In the same rounds a bare Django server
(``bench/bare``: the same Django, gunicorn settings and database; session and
authentication middleware and one query) answers its ``/ping/`` first, so every run
prints the floor's ratio to bare Django too. The servers send each response's SQL
query count in a header (``VEJUD_BENCH_QUERY_COUNT=1``). A database seeded by the
run reports the seeder's time and peak memory. Each database is vacuumed and analysed
before it is measured (autovacuum's work, which a cluster with autovacuum off never
does). The largest gunicorn worker's resident
memory is read from /proc once the server has warmed up (its steady memory) and after each
page's rounds, and compared between the sizes.

Writes a JSON result file and prints whether each target of issue 6 holds.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import os
import platform
import re
import secrets
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PYTHON = BIN / "python"
QUERY_HEADER = "X-Vejud-Queries"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432"
DB_NAME = re.compile(r"[A-Za-z0-9_]+")

# Pages in the order they are measured; the floor again at the end.
PAGES = (
    "floor",
    "caseload_first",
    "caseload_filtered",
    "caseload_deep",
    "search_reference",
    "search_name",
    "case_page",
    "tasks",
    "overview",
    "dashboard",
    "admin_changelist",
    "admin_case",
    "action",
)
# Django's own pages (the admin over the cases table): comparisons, not vejud's pages.
COMPARISONS = ("admin_changelist", "admin_case")
LIST_PAGES = ("caseload_first", "caseload_filtered", "caseload_deep")
SEARCH_PAGES = ("search_reference", "search_name")
# How much more the largest worker may hold after a page at the largest size than at the
# smallest: a page whose worker memory grows with the data (a list read whole, a cache
# filled per case) shows as tens of MB; two servers' workers differ by a few MB by chance.
WORKER_GROWTH_MB = 10
INHERITED_PREFIXES = ("VEJUD_", "DJANGO_", "PYTEST_")
INHERITED_NAMES = {"SECRET_KEY", "DEBUG", "DATABASE_URL", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# Environment and processes ---------------------------------------------------------------


def clean_env(**overrides: str) -> dict[str, str]:
    """The environment of a fresh process: nothing from a test or demo shell, then ``overrides``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(INHERITED_PREFIXES) and key not in INHERITED_NAMES
    }
    env["DJANGO_SETTINGS_MODULE"] = "vejud.settings"
    env["PYTHONPATH"] = str(ROOT)
    env.update(overrides)
    return env


def generated_keys() -> dict[str, str]:
    from cryptography.fernet import Fernet

    return {
        "SECRET_KEY": secrets.token_urlsafe(64),
        "VEJUD_FIELD_KEYS": Fernet.generate_key().decode(),
        "VEJUD_HMAC_KEY": secrets.token_hex(32),
        "VEJUD_AUDIT_KEYS": secrets.token_urlsafe(48),
    }


def run(args: list[str], env: dict[str, str], *, timeout: float = 6 * 3600) -> str:
    result = subprocess.run(
        args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise SystemExit(
            f"bench: {' '.join(args[:3])} failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result.stdout


def psql(base_url: str, sql: str, database: str = "postgres") -> str:
    parts = urlsplit(base_url)
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = parts.password
    args = [
        "psql",
        "-X",
        "-At",
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
        "-d",
        database,
        "-c",
        sql,
    ]
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"bench: psql failed: {result.stderr.strip()}")
    return result.stdout.strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# The database of one data size -------------------------------------------------------------


@dataclass
class Target:
    cases: int
    url: str
    name: str
    reuse: bool
    seed: dict[str, Any] | None = None  # seconds and peak memory, when this run seeded it


def database_for(args: argparse.Namespace, index: int, cases: int) -> Target:
    if args.database_url:
        url = args.database_url[index]
        return Target(cases, url, urlsplit(url).path.lstrip("/"), reuse=True)
    base = args.postgres.rstrip("/")
    if args.reuse_db:
        name = args.reuse_db[index]
        return Target(cases, f"{base}/{name}", name, reuse=True)
    name = f"{args.db_prefix}_{cases}"
    return Target(cases, f"{base}/{name}", name, reuse=False)


def case_count(target: Target) -> int | None:
    base = target.url.rsplit("/", 1)[0]
    if not DB_NAME.fullmatch(target.name):
        raise SystemExit(f"bench: unexpected database name {target.name!r}")
    exists = psql(base, f"SELECT 1 FROM pg_database WHERE datname = '{target.name}'")  # noqa: S608
    if not exists:
        return None
    has_table = psql(base, "SELECT to_regclass('public.cases_case') IS NOT NULL", target.name)
    if has_table != "t":
        return 0
    return int(psql(base, "SELECT count(*) FROM cases_case", target.name))


def ensure_seeded(target: Target, *, fresh: bool) -> None:
    """Create and seed the database, or check that a reused one holds the cases."""
    base = target.url.rsplit("/", 1)[0]
    count = case_count(target)
    if fresh and not target.reuse and count is not None:
        log(f"dropping {target.name} (--fresh)")
        psql(base, f'DROP DATABASE "{target.name}" WITH (FORCE)')
        count = None
    if target.reuse:
        if count is None:
            raise SystemExit(f"bench: database {target.name} does not exist")
        if count == 0:
            seed(target)
            return
        if count < target.cases * 0.99:
            raise SystemExit(
                f"bench: {target.name} holds {count} cases, fewer than --cases {target.cases}"
            )
        log(f"reusing {target.name}: {count} cases")
        return
    if count is None:
        psql(base, f'CREATE DATABASE "{target.name}"')
        count = 0
    if count >= target.cases * 0.99:
        log(f"reusing {target.name}: {count} cases")
        return
    if count:
        raise SystemExit(
            f"bench: {target.name} holds {count} cases, not {target.cases}; use --fresh"
        )
    seed(target)


def run_peak(args: list[str], env: dict[str, str]) -> int:
    """Run ``args`` like ``run``; return the peak resident memory in KiB of the process and
    of the children it waited for (``wait4``'s ``ru_maxrss``)."""
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            out.seek(0)
            tail = out.read().decode(errors="replace")[-3000:]
            raise SystemExit(f"bench: {' '.join(args[:3])} failed ({process.returncode}):\n{tail}")
    return int(usage.ru_maxrss)


def seed(target: Target) -> None:
    """Migrate an empty database, load the reference data and seed ``target.cases`` cases."""
    # seed-demo is the demo seeder: it runs with DEBUG on and the demo keys. The measured
    # server later runs with DEBUG off and keys of its own; the benchmark never reads a
    # field those demo keys encrypted.
    seed_env = clean_env(DEBUG="1", DATABASE_URL=target.url)
    log(f"migrating {target.name}")
    run([str(BIN / "vejud"), "migrate", "-v0"], seed_env)
    run([str(BIN / "vejud"), "load-reference"], seed_env)
    log(f"seeding {target.cases} cases into {target.name} (vejud seed-demo)")
    started = time.monotonic()
    peak = run_peak([str(BIN / "vejud"), "seed-demo", "--cases", str(target.cases)], seed_env)
    target.seed = {"seconds": round(time.monotonic() - started), "peak_rss_mb": round(peak / 1024)}
    log(f"seeded in {target.seed['seconds']} s, peak memory {target.seed['peak_rss_mb']} MB")


# The server ---------------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def worker_rss_mb(self) -> list[float]:
        """The resident memory of each gunicorn worker now (MB), largest first."""
        return sorted((rss_kib(pid) / 1024 for pid in children(self.process.pid)), reverse=True)


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux's /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        # The command name (in parentheses) may hold spaces: the fields follow its last ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def rss_kib(pid: int) -> int:
    """A process's resident memory in KiB (VmRSS), 0 if it has ended."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def start_server(
    env: dict[str, str], workers: int, var_dir: Path, app: str = "vejud.wsgi"
) -> Server:
    port = free_port()
    log_path = var_dir / f"gunicorn-{port}.log"
    with log_path.open("w") as out:
        process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                app,
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
            ],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, port, log_path)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise SystemExit(f"bench: gunicorn exited:\n{log_path.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline:
                server.stop()
                raise SystemExit("bench: gunicorn did not start within 60 s") from None
            time.sleep(0.2)
    return server


# HTTP clients ---------------------------------------------------------------------------------


def totp(key_hex: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """The RFC 6238 code django-otp's TOTPDevice expects (SHA-1, 30 s, 6 digits)."""
    counter = int((at if at is not None else time.time()) // step)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return str(code).zfill(digits)


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    seconds: float


CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class Session:
    """One signed-in user's cookies; safe to share between threads (cookies only change at login)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.lock = threading.Lock()

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None, *, timeout: float = 120
    ) -> Reply:
        headers = {"Host": "127.0.0.1", "Accept-Language": "en"}
        with self.lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        seconds = time.perf_counter() - started
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            with self.lock:
                if value and "Max-Age=0" not in cookie:
                    self.cookies[name.strip()] = value
                else:
                    self.cookies.pop(name.strip(), None)
        return Reply(response.status, response.headers, data, seconds)

    def csrf_token(self, path: str) -> str:
        reply = self.request("GET", path)
        match = CSRF_FIELD.search(reply.body)
        if not match:
            raise SystemExit(f"bench: no CSRF token on {path} (HTTP {reply.status})")
        return match.group(1).decode()


def bare_login(port: int, user: dict[str, str]) -> Session:
    """Sign in to the bare Django server with the same user's e-mail and password."""
    session = Session(port)
    reply = session.request(
        "POST", "/login/", {"email": user["email"], "password": user["password"]}
    )
    if reply.status != 302:
        raise SystemExit(f"bench: bare Django login of {user['email']} answered {reply.status}")
    return session


BARE_PAGE: dict[str, Any] = {"user": "coordinator", "path": "/ping/", "expect": 200}


def login(port: int, user: dict[str, str]) -> Session:
    """Sign in through the real pages: e-mail and password, then the TOTP code."""
    session = Session(port)
    token = session.csrf_token("/konto/log-ind/")
    reply = session.request(
        "POST",
        "/konto/log-ind/",
        {"csrfmiddlewaretoken": token, "email": user["email"], "password": user["password"]},
    )
    if reply.status != 302:
        raise SystemExit(f"bench: login of {user['email']} answered {reply.status}")
    token = session.csrf_token("/konto/to-faktor/")
    reply = session.request(
        "POST", "/konto/to-faktor/", {"csrfmiddlewaretoken": token, "code": totp(user["totp_key"])}
    )
    if reply.status != 302 or "to-faktor" in reply.headers.get("Location", ""):
        raise SystemExit(f"bench: second factor of {user['email']} answered {reply.status}")
    return session


# Measuring ----------------------------------------------------------------------------------


@dataclass
class Measurement:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    queries: list[int] = field(default_factory=list)
    wall: float = 0.0
    errors: list[str] = field(default_factory=list)

    def merge(self, other: Measurement) -> None:
        self.latencies += other.latencies
        self.queries += other.queries
        self.wall += other.wall
        self.errors += other.errors
        for status, n in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + n


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def drive(
    session: Session, page: dict[str, Any], requests: int, concurrency: int, csrf: str
) -> Measurement:
    """Send ``requests`` requests from ``concurrency`` threads; record each one."""
    result = Measurement()
    lock = threading.Lock()
    remaining = [requests]
    method = page.get("method", "GET")
    form = dict(page.get("form", {}))
    if method == "POST":
        form["csrfmiddlewaretoken"] = csrf

    def worker() -> None:
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            try:
                reply = session.request(method, page["path"], form if method == "POST" else None)
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    result.errors.append(repr(exc))
                continue
            with lock:
                result.latencies.append(reply.seconds)
                result.statuses[reply.status] = result.statuses.get(reply.status, 0) + 1
                count = reply.headers.get(QUERY_HEADER)
                if count is not None:
                    result.queries.append(int(count))

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall = time.perf_counter() - started
    return result


def check_page(name: str, session: Session, page: dict[str, Any], csrf: str) -> dict[str, Any]:
    """One request before measuring: the status and a marker the page must show."""
    form = dict(page.get("form", {}))
    if page.get("method") == "POST":
        form["csrfmiddlewaretoken"] = csrf
        reply = session.request("POST", page["path"], form)
    else:
        reply = session.request("GET", page["path"])
    problems = []
    if reply.status != page["expect"]:
        problems.append(f"HTTP {reply.status}, expected {page['expect']}")
    marker = page.get("marker")
    if marker and marker.encode() not in reply.body:
        problems.append(f"the page does not show {marker!r}")
    listing = reply.status == 200 and name.startswith(("caseload", "search"))
    if listing and b"EX-" not in reply.body:
        problems.append("no case in the list")
    if problems:
        log(f"{name}: " + "; ".join(problems))
    return {"status": reply.status, "problems": problems, "bytes": len(reply.body)}


def summarise(m: Measurement) -> dict[str, Any]:
    lat = m.latencies
    return {
        "requests": len(lat),
        "p50_ms": round(percentile(lat, 0.50) * 1000, 2),
        "p95_ms": round(percentile(lat, 0.95) * 1000, 2),
        "mean_ms": round(statistics.fmean(lat) * 1000, 2) if lat else None,
        "max_ms": round(max(lat) * 1000, 2) if lat else None,
        "throughput_rps": round(len(lat) / m.wall, 1) if m.wall else None,
        # The usual count: a session's last-seen time is written once a minute, one more.
        "queries": statistics.mode(m.queries) if m.queries else None,
        "queries_seen": sorted(set(m.queries)),
        "statuses": {str(k): v for k, v in sorted(m.statuses.items())},
        "errors": m.errors[:5],
    }


@dataclass
class Live:
    """One data size being measured: its database, its server and its signed-in users."""

    target: Target
    prepared: dict[str, Any]
    server: Server
    sessions: dict[str, Session]
    csrf: dict[str, str]
    checks: dict[str, Any]
    bare_server: Server
    bare_session: Session
    measured: dict[str, Measurement] = field(default_factory=dict)
    paired: dict[str, Measurement] = field(default_factory=dict)
    bare: dict[str, Measurement] = field(default_factory=dict)  # bare Django, same rounds
    # The largest worker's resident memory (MB) once the server has warmed up on the floor,
    # and after each page's rounds (a worker's memory only grows: it is the high-water mark).
    worker_mb: dict[str, float] = field(default_factory=dict)

    def note_memory(self, name: str) -> None:
        self.worker_mb[name] = round(max(self.server.worker_rss_mb(), default=0.0), 1)

    def stop(self) -> None:
        self.server.stop()
        self.bare_server.stop()

    @property
    def pages(self) -> dict[str, dict[str, Any]]:
        pages: dict[str, dict[str, Any]] = self.prepared["pages"]
        return pages

    def drive_page(self, name: str, count: int, concurrency: int) -> Measurement:
        page = self.pages[name]
        user = page["user"]
        return drive(self.sessions[user], page, count, concurrency, self.csrf[user])

    def drive_bare(self, count: int, concurrency: int) -> Measurement:
        return drive(self.bare_session, BARE_PAGE, count, concurrency, "")


def start_size(target: Target, args: argparse.Namespace, var_dir: Path) -> Live:
    """Seed (or reuse) the database, prepare it, start its server and sign the users in."""
    ensure_seeded(target, fresh=args.fresh)
    keys = generated_keys()
    env = clean_env(
        DEBUG="0",
        DATABASE_URL=target.url,
        VEJUD_VAR_DIR=str(var_dir),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        VEJUD_BENCH_QUERY_COUNT="1",
        VEJUD_BENCH_ADMIN="1",
        VEJUD_SSL_REDIRECT="0",  # plain HTTP on the loopback, no TLS proxy in front
        **keys,
    )
    if args.smoke:
        # The test settings' plain static storage: no collectstatic (minutes of brotli on a
        # busy machine). Correct pages, but not production figures.
        env["VEJUD_TESTING"] = "1"
    log(f"{target.name}: migrate (production settings)")
    run([str(BIN / "vejud"), "migrate", "-v0"], env)
    if not args.smoke and not (var_dir / "static" / "staticfiles.json").exists():
        log("collectstatic")
        run([str(BIN / "vejud"), "collectstatic", "--noinput", "-v0"], env)
    log(f"{target.name}: preparing users and cases")
    prepared = json.loads(
        run([str(PYTHON), "-m", "bench.prepare", json.dumps({"history": args.history})], env)
    )
    log(
        f"{target.name}: {prepared['cases']} cases; unit {prepared['unit']!r} sees {prepared['unit_cases']}"
    )
    # What autovacuum does on a production server before long: statistics and the visibility
    # map (index-only scans read the heap until it is set). A cluster may run with
    # autovacuum off, as this machine's does: a freshly loaded database would then be
    # measured with plans production never gets.
    started = time.monotonic()
    psql(target.url.rsplit("/", 1)[0], "VACUUM (ANALYZE)", target.name)
    log(f"{target.name}: VACUUM (ANALYZE) in {time.monotonic() - started:.0f} s")
    server = start_server(env, args.workers, var_dir)
    bare_env = clean_env(
        DATABASE_URL=target.url,
        SECRET_KEY=keys["SECRET_KEY"],
        ALLOWED_HOSTS="127.0.0.1,localhost",
        VEJUD_BENCH_QUERY_COUNT="1",
        DJANGO_SETTINGS_MODULE="bench.bare.settings",
    )
    try:
        bare_server = start_server(bare_env, args.workers, var_dir, app="bench.bare.wsgi")
    except BaseException:
        server.stop()
        raise
    try:
        sessions = {name: login(server.port, user) for name, user in prepared["users"].items()}
        csrf = {name: s.cookies.get("csrftoken", "") for name, s in sessions.items()}
        checks = {}
        for name in PAGES:
            page = prepared["pages"][name]
            checks[name] = check_page(name, sessions[page["user"]], page, csrf[page["user"]])
        bare_session = bare_login(bare_server.port, prepared["users"][BARE_PAGE["user"]])
        checks["bare"] = check_page("bare", bare_session, BARE_PAGE, "")
    except BaseException:
        server.stop()
        bare_server.stop()
        raise
    live = Live(target, prepared, server, sessions, csrf, checks, bare_server, bare_session)
    live.drive_page("floor", args.warmup, args.concurrency)
    live.drive_bare(args.warmup, args.concurrency)
    live.note_memory("floor")
    return live


def measure(lives: list[Live], args: argparse.Namespace) -> None:
    """Measure every page at every size in the same minutes.

    Each page is measured in rounds; in each round every size measures the floor and then
    the page (the sizes take turns going first). A page's ratio is taken against the floor
    of the same minutes and its growth compares sizes measured in the same minutes, so
    the machine's drift (a shared host runs faster and slower by the minute) cancels out.
    """
    rounds = max(1, min(args.rounds, args.requests))
    for name in PAGES[1:]:
        for live in lives:
            live.drive_page(name, args.warmup, args.concurrency)
            live.measured[name], live.paired[name] = Measurement(), Measurement()
            live.bare[name] = Measurement()
        for index in range(rounds):
            share = args.requests // rounds + (index < args.requests % rounds)
            for live in lives if index % 2 == 0 else lives[::-1]:
                live.bare[name].merge(live.drive_bare(share, args.concurrency))
                live.paired[name].merge(live.drive_page("floor", share, args.concurrency))
                live.measured[name].merge(live.drive_page(name, share, args.concurrency))
        for live in lives:
            live.note_memory(name)
            s, f = summarise(live.measured[name]), summarise(live.paired[name])
            b = summarise(live.bare[name])
            log(
                f"{live.target.name}: {name:<18} p50 {s['p50_ms']:>8} ms  p95 {s['p95_ms']:>8} ms"
                f"  {s['throughput_rps']} req/s  (floor p50 {f['p50_ms']} p95 {f['p95_ms']}"
                f" {f['throughput_rps']} req/s; bare Django p50 {b['p50_ms']} p95 {b['p95_ms']}"
                f" {b['throughput_rps']} req/s; largest worker {live.worker_mb[name]} MB)"
            )


def size_result(live: Live) -> dict[str, Any]:
    floor_all, bare_all = Measurement(), Measurement()
    for m in live.paired.values():
        floor_all.merge(m)
    for m in live.bare.values():
        bare_all.merge(m)
    results = {"floor": summarise(floor_all)}
    results["floor"].update(ratio_p50=1.0, ratio_p95=1.0)
    results["floor"]["worker_mb"] = live.worker_mb.get("floor")
    bare = summarise(bare_all)
    # The floor against bare Django measured in the same rounds (both sides over all of them).
    results["floor"]["bare_ratio_p50"] = round(results["floor"]["p50_ms"] / bare["p50_ms"], 2)
    results["floor"]["bare_ratio_p95"] = round(results["floor"]["p95_ms"] / bare["p95_ms"], 2)
    for name, m in live.measured.items():
        summary = summarise(m)
        floor = summarise(live.paired[name])
        summary["floor_p50_ms"] = floor["p50_ms"]
        summary["floor_p95_ms"] = floor["p95_ms"]
        summary["floor_rps"] = floor["throughput_rps"]
        summary["ratio_p50"] = round(summary["p50_ms"] / floor["p50_ms"], 2)
        summary["ratio_p95"] = round(summary["p95_ms"] / floor["p95_ms"], 2)
        summary["worker_mb"] = live.worker_mb.get(name)
        results[name] = summary
    return {
        "database": live.target.name,
        "cases": live.prepared["cases"],
        "unit": live.prepared["unit"],
        "unit_cases": live.prepared["unit_cases"],
        "paths": {name: live.pages[name]["path"] for name in PAGES},
        # How many of the user's cases the measured name search finds (the same at every size).
        "name_search_found": live.pages["search_name"].get("found"),
        "checks": live.checks,
        "seed": live.target.seed,
        "bare": bare,
        "pages": results,
    }


# Targets and the report ---------------------------------------------------------------------


def evaluate(sizes: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Check the targets of issue 6 against the largest and smallest measured sizes."""
    keys = sorted(sizes, key=int)
    large = sizes[keys[-1]]["pages"]
    small = sizes[keys[0]]["pages"]
    at = f"at {int(keys[-1]):,} cases"
    targets: list[dict[str, Any]] = []

    def add(name: str, holds: bool | None, detail: str) -> None:
        targets.append({"target": name, "holds": holds, "detail": detail})

    def against_floor(page: str, limit: float) -> None:
        s = large[page]
        add(
            f"{page}: p95 <= {limit:g}x floor {at}",
            s["ratio_p95"] <= limit,
            f"{s['ratio_p95']}x (p95 {s['p95_ms']} ms, {s['throughput_rps']} req/s;"
            f" floor {s['floor_p95_ms']} ms, {s['floor_rps']} req/s)",
        )

    for size in keys:
        floor, bare = sizes[size]["pages"]["floor"], sizes[size].get("bare")
        if bare is None:
            continue  # a size from an earlier result file, measured before bare Django was
        for pct in ("p50", "p95"):
            ratio = floor[f"bare_ratio_{pct}"]
            add(
                f"floor: {pct} <= 2x bare Django at {int(size):,} cases",
                ratio <= 2.0,
                f"{ratio}x ({floor[f'{pct}_ms']} ms, {floor['throughput_rps']} req/s;"
                f" bare Django {bare[f'{pct}_ms']} ms, {bare['throughput_rps']} req/s)",
            )
    for page in (*LIST_PAGES, *SEARCH_PAGES, "case_page", "tasks"):
        against_floor(page, 2.0)
    against_floor("overview", 3.0)
    if "dashboard" in large:
        against_floor("dashboard", 5.0)
    against_floor("action", 3.0)
    speedup = round(large["admin_changelist"]["p50_ms"] / large["caseload_first"]["p50_ms"], 1)
    add(
        f"caseload >= 10x faster than the admin changelist {at} (p50)", speedup >= 10, f"{speedup}x"
    )
    if "admin_case" in large:
        admin, case = large["admin_case"], large["case_page"]
        add(
            f"(comparison) Django's admin page of the case page's case {at}, p95 x floor",
            None,
            f"{admin['ratio_p95']}x (p95 {admin['p95_ms']} ms); the case page"
            f" {case['ratio_p95']}x (p95 {case['p95_ms']} ms)",
        )
    if len(keys) < 2:
        add("growth <= 1.2 for every page", None, "one data size only")
        add("queries per page independent of data size", None, "one data size only")
        return targets
    label = f"{int(keys[-1]):,} / {int(keys[0]):,}"
    for page in PAGES:
        if page in COMPARISONS:
            continue  # Django's own pages, not vejud's: their growth is shown, not judged
        if page not in small or page not in large:
            continue  # a page added after the earlier result file was measured
        growth = round(large[page]["p50_ms"] / small[page]["p50_ms"], 2)
        add(
            f"{page}: p50 growth {label} <= 1.2",
            growth <= 1.2,
            f"{growth} ({small[page]['p50_ms']} -> {large[page]['p50_ms']} ms,"
            f" {small[page]['throughput_rps']} -> {large[page]['throughput_rps']} req/s)",
        )
    grown = [
        f"{page} {small[page]['worker_mb']} -> {large[page]['worker_mb']} MB"
        for page in PAGES
        if small.get(page, {}).get("worker_mb")
        and large.get(page, {}).get("worker_mb")
        and large[page]["worker_mb"] - small[page]["worker_mb"] > WORKER_GROWTH_MB
    ]
    steady = [
        f"{page} {small[page]['worker_mb']} / {large[page]['worker_mb']} MB"
        for page in PAGES
        if small.get(page, {}).get("worker_mb") and large.get(page, {}).get("worker_mb")
    ]
    if steady:
        add(
            f"largest worker's memory after each page: {label} within {WORKER_GROWTH_MB} MB",
            not grown,
            "; ".join(grown) if grown else "; ".join(steady),
        )
    differ = [
        f"{page} {small[page]['queries']} -> {large[page]['queries']}"
        for page in PAGES
        if page in small and page in large and small[page]["queries"] != large[page]["queries"]
    ]
    add(
        "queries per page independent of data size",
        not differ,
        "; ".join(differ) or "equal at both sizes",
    )
    return targets


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "uname": " ".join(platform.uname()),
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "loadavg_at_start": os.getloadavg(),
    }
    try:
        meminfo = Path("/proc/meminfo").read_text().split("\n", 1)[0]
        info["memory"] = meminfo.split(":", 1)[1].strip()
    except OSError:
        pass
    return info


def print_report(result: dict[str, Any]) -> None:
    for size, data in sorted(result["sizes"].items(), key=lambda item: int(item[0])):
        print(
            f"\n{int(size):,} cases requested, {data['cases']:,} in the database ({data['database']})"
        )
        seeded = data.get("seed")
        print(
            f"seeded by this run in {seeded['seconds']} s, seeder's peak memory"
            f" {seeded['peak_rss_mb']} MB"
            if seeded
            else "seeded before this run (no seeder figures)"
        )
        if data.get("name_search_found") is not None:
            print(f"the name search finds {data['name_search_found']} of the user's cases")
        bare, floor = data.get("bare"), data["pages"]["floor"]
        if bare:
            print(
                f"bare Django: p50 {bare['p50_ms']:.2f} ms, p95 {bare['p95_ms']:.2f} ms,"
                f" {bare['throughput_rps']} req/s, {bare['queries']} queries; the floor is"
                f" {floor['bare_ratio_p50']:.2f}x it at p50, {floor['bare_ratio_p95']:.2f}x at p95"
            )
        print(
            f"{'page':<18} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7} {'x floor p50':>11}"
            f" {'x floor p95':>11} {'queries':>7} {'worker MB':>9}  statuses"
        )
        for name in PAGES:
            if name not in data["pages"]:
                continue  # a page added after an earlier result file was measured
            s = data["pages"][name]
            print(
                f"{name:<18} {s['p50_ms']:>8.2f} {s['p95_ms']:>8.2f} {s['throughput_rps']:>7}"
                f" {s['ratio_p50']:>11.2f} {s['ratio_p95']:>11.2f} {s['queries']!s:>7}"
                f" {s.get('worker_mb') or '-'!s:>9}  {s['statuses']}"
            )
    print("\nTargets:")
    for target in result["targets"]:
        verdict = {True: "PASS", False: "FAIL", None: "n/a "}[target["holds"]]
        print(f"  {verdict}  {target['target']}: {target['detail']}")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, action="append", help="data size (repeatable)")
    parser.add_argument(
        "--reuse-db", action="append", help="an existing database per --cases, in order"
    )
    parser.add_argument(
        "--database-url", action="append", help="an existing database URL per --cases, in order"
    )
    parser.add_argument("--postgres", default=DEFAULT_PG, help=f"server URL (default {DEFAULT_PG})")
    parser.add_argument("--db-prefix", default="vejud_bench", help="own databases: PREFIX_<cases>")
    parser.add_argument("--fresh", action="store_true", help="drop and reseed own databases")
    parser.add_argument("--requests", type=int, default=300, help="measured requests per page")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests per page first")
    parser.add_argument("--concurrency", type=int, default=4, help="concurrent clients")
    parser.add_argument(
        "--rounds", type=int, default=5, help="rounds per page, alternating with the floor"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (README: 4)")
    parser.add_argument("--history", type=int, default=150, help="journal notes on the long case")
    parser.add_argument("--compare", type=Path, help="add the sizes of an earlier result file")
    parser.add_argument("--out", type=Path, help="result file (default bench/results-<sizes>.json)")
    parser.add_argument(
        "--var-dir",
        type=Path,
        help="keep the collected static files here between runs (default: a temporary directory)",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="harness check only (the smoke test): skip collectstatic and serve with the test "
        "settings' plain static storage; the figures are not production figures",
    )
    args = parser.parse_args(argv)
    if not args.cases:
        parser.error("give at least one --cases N")
    for option in ("reuse_db", "database_url"):
        given = getattr(args, option)
        if given and len(given) != len(args.cases):
            parser.error(f"give one --{option.replace('_', '-')} per --cases")
    return args


def _stop_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(f"bench: stopped by signal {signum}")  # runs the finally: gunicorn stops


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    started = datetime.now(UTC)
    result: dict[str, Any] = {
        "date": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {
            "smoke": args.smoke,
            "requests": args.requests,
            "warmup": args.warmup,
            "concurrency": args.concurrency,
            "rounds": args.rounds,
            "gunicorn_workers": args.workers,
            "history": args.history,
        },
        "sizes": {},
    }
    result["machine"]["postgresql"] = psql(args.postgres, "SHOW server_version")
    with tempfile.TemporaryDirectory(prefix="vejud-bench-") as tmp:
        var_dir = args.var_dir or Path(tmp)
        var_dir.mkdir(parents=True, exist_ok=True)
        lives: list[Live] = []
        try:
            for index, cases in enumerate(args.cases):
                lives.append(start_size(database_for(args, index, cases), args, var_dir))
            measure(lives, args)
        finally:
            for live in lives:
                live.stop()
        for cases, live in zip(args.cases, lives, strict=True):
            result["sizes"][str(cases)] = size_result(live)
    if args.compare:
        earlier = json.loads(args.compare.read_text())
        for size, data in earlier["sizes"].items():
            if size not in result["sizes"]:
                data["from"] = str(args.compare)
                result["sizes"][size] = data
    result["targets"] = evaluate(result["sizes"])
    result["seconds"] = round((datetime.now(UTC) - started).total_seconds())
    out = args.out or ROOT / "bench" / f"results-{'-'.join(str(c) for c in args.cases)}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print_report(result)
    print(f"\nWritten: {out}")
    bad = [
        name
        for data in result["sizes"].values()
        for name, c in data["checks"].items()
        if c["problems"]
    ]
    if bad:
        print(f"Harness check failed on: {', '.join(sorted(set(bad)))}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
