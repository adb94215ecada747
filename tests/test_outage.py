"""PostgreSQL stops while gunicorn serves requests: 503s, recovery, no write lost or misreported.

A short-lived PostgreSQL cluster of the test's own (initdb into a temporary directory, pg_ctl on
a free port; never the shared server) holds a migrated vejud database. gunicorn serves it with
production settings. Clients register inquiries through the API (writes) and read a page and
the API while the cluster is stopped (``pg_ctl stop -m fast``) and started again. Each write
carries an ``Idempotency-Key``; after the outage every write answered 503 is sent again with
its key, as the README asks of clients. Asserted: no answer other than 503 for a database
problem (never 500), every request made while the database was down answered 503 with
``Retry-After`` (the page calm and translated, the API a problem body), writes succeed again
after the restart, every write is stored exactly once, and every stored write is reported as
a success (at once, or on the repeat with its key: a write whose COMMIT reached the disk as
the server stopped gets its first answer back, not a second case).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from tests.test_production import BIN, ROOT, clean_env, free_port, real_secrets

PG_BIN = Path("/usr/lib/postgresql/15/bin")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not (PG_BIN / "initdb").exists(), reason="PostgreSQL 15 is not installed"),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="run once, in the PostgreSQL pass",
    ),
]

PREPARE = """
import django
django.setup()
from vejud.accounts.tokens import token_create
from vejud.organisations.models import Municipality
from vejud.testing import make_world
world = make_world()
Municipality.objects.create(name="Testby A", police_district=world.unit_a.police_district)
print(token_create(user=world.member_a, name="outage")[1])
"""


class Cluster:
    """A PostgreSQL cluster in a temporary directory, run as the postgres user when root."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.data = directory / "data"
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(directory, "postgres")
        self._pg(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "-A",
            "trust",
        )

    def _pg(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self.as_postgres, str(PG_BIN / tool), *args],
            check=True,
            capture_output=True,
            timeout=120,
        )

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/vejud"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        self._pg(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.directory / "log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._pg("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def count(self, sql: str) -> int:
        with psycopg.connect(self.url, connect_timeout=10) as conn:
            row = conn.execute(sql).fetchone()
            assert row is not None
            return int(row[0])


@dataclass
class Answer:
    kind: str  # "write", "api" or "page"
    sent: float
    received: float
    status: int
    retry_after: str | None
    body: bytes
    reference: str | None = None
    key: str | None = None
    sent_body: dict | None = None
    replayed: bool = False


@dataclass
class Traffic:
    port: int
    token: str
    answers: list[Answer] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def request(
        self, kind: str, method: str, path: str, body: dict | None = None, key: str | None = None
    ) -> Answer:
        headers = {"X-Forwarded-Proto": "https", "Accept-Language": "da"}
        if key is not None:
            headers["Idempotency-Key"] = key
        if kind == "page":
            headers["Cookie"] = "sessionid=abcdefghijklmnopqrstuvwxyz012345"
        else:
            headers["Authorization"] = f"Bearer {self.token}"
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers["Content-Type"] = "application/json"
        sent = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=payload, headers=headers)
            response = conn.getresponse()
            content = response.read()
            answer = Answer(
                kind,
                sent,
                time.monotonic(),
                response.status,
                response.getheader("Retry-After"),
                content,
                key=key,
                sent_body=body,
                replayed=response.getheader("Idempotent-Replayed") == "true",
            )
        finally:
            conn.close()
        if kind in ("write", "retry") and answer.status == 201:
            answer.reference = json.loads(content)["reference"]
        with self.lock:
            self.answers.append(answer)
        return answer

    def writer(self, name: str) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            body = {
                "first_name": "Outage",
                "last_name": f"{name}-{n}",
                "birth_date": "1990-01-01",
                "source": "person",
                "channel": "phone",
                "received_on": time.strftime("%Y-%m-%d"),
                "municipality": "Testby A",
                "confirm_new_person": True,
            }
            self.request("write", "POST", "/api/v1/inquiries", body, key=str(uuid.uuid4()))
            time.sleep(0.05)

    def reader(self) -> None:
        while not self.stop.is_set():
            self.request("api", "GET", "/api/v1/me")
            self.request("page", "GET", "/sager/")
            time.sleep(0.05)


@pytest.fixture(scope="module")
def stack() -> Iterator[tuple[Cluster, Traffic]]:
    directory = Path(tempfile.mkdtemp(prefix="vejud-outage-"))
    cluster = Cluster(directory)
    cluster.start()
    server = None
    try:
        with psycopg.connect(cluster.url.replace("/vejud", "/postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE vejud")
        env = clean_env(
            DEBUG="0",
            DATABASE_URL=cluster.url,
            DB_CONN_MAX_AGE="60",
            VEJUD_VAR_DIR=str(directory),
            VEJUD_TESTING="1",  # plain static storage: no collectstatic for this test
            ALLOWED_HOSTS="127.0.0.1",
            PYTHONPATH=str(ROOT),
            **real_secrets(),
        )
        for args in ([str(BIN / "vejud"), "migrate", "-v0"],):
            subprocess.run(args, env=env, cwd=ROOT, check=True, capture_output=True, timeout=600)
        token = (
            subprocess.run(
                [sys.executable, "-c", PREPARE],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
                timeout=300,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        port = free_port()
        log = (directory / "gunicorn.log").open("w")
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "vejud.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        traffic = Traffic(port=port, token=token)
        deadline = time.monotonic() + 60
        while True:
            try:
                if traffic.request("api", "GET", "/api/v1/me").status == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, (directory / "gunicorn.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not start within 60 s"
            time.sleep(0.3)
        traffic.answers.clear()
        yield cluster, traffic
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop()  # already stopped if a start failed
        shutil.rmtree(directory, ignore_errors=True)


def test_an_outage_answers_503_recovers_and_loses_no_acknowledged_write(stack):
    cluster, traffic = stack
    threads = [threading.Thread(target=traffic.writer, args=(f"w{i}",)) for i in range(3)]
    threads.append(threading.Thread(target=traffic.reader))
    for thread in threads:
        thread.start()
    try:
        time.sleep(3)
        stopping = time.monotonic()
        cluster.stop()
        down_from = time.monotonic()
        time.sleep(4)
        down_until = time.monotonic()
        cluster.start()
        up = time.monotonic()
        deadline = up + 60
        while time.monotonic() < deadline:
            recent = [a for a in list(traffic.answers) if a.kind == "write" and a.sent > up]
            if sum(a.status == 201 for a in recent) >= 5:
                break
            time.sleep(0.5)
        recovered = time.monotonic()
    finally:
        traffic.stop.set()
        for thread in threads:
            thread.join(timeout=120)

    answers = traffic.answers
    statuses = {a.status for a in answers}
    assert statuses <= {200, 201, 302, 503}, statuses  # never a 500
    before = [a for a in answers if a.received < stopping and a.kind == "write"]
    assert before and all(a.status == 201 for a in before), [
        (a.status, a.body[:300]) for a in before if a.status != 201
    ][:3]

    during = [a for a in answers if a.sent > down_from and a.received < down_until]
    assert len(during) >= 10
    assert all(a.status == 503 for a in during), sorted({a.status for a in during})
    assert all(a.retry_after == "30" for a in during)
    api = [json.loads(a.body) for a in during if a.kind != "page"]
    assert api and all(body["status"] == 503 and body["detail"] for body in api)
    pages = [a.body.decode() for a in during if a.kind == "page"]
    assert pages and all("Midlertidigt utilgængelig" in page for page in pages)
    assert all("Traceback" not in page for page in pages)

    after = [a for a in answers if a.sent > up and a.kind == "write"]
    assert sum(a.status == 201 for a in after) >= 5, "writes did not recover within 60 s"
    assert recovered - up < 60

    writes = [a for a in answers if a.kind == "write"]
    # Clients send every write answered 503 again with its key (README, Production).
    retries = [
        traffic.request("retry", "POST", "/api/v1/inquiries", a.sent_body, key=a.key)
        for a in writes
        if a.status != 201
    ]
    assert all(r.status == 201 for r in retries), [(r.status, r.body[:300]) for r in retries]
    assert not any(a.replayed for a in writes)
    replayed = [r for r in retries if r.replayed]
    references = [a.reference for a in writes if a.status == 201] + [r.reference for r in retries]
    assert len(set(references)) == len(references) == len(writes), "one case per write"
    stored = cluster.count("SELECT count(*) FROM cases_case")
    # Every write is stored exactly once, and every stored write was reported as a success:
    # at once, or on the repeat with its key. A write whose COMMIT reached the disk as the
    # server stopped (its answer a 503) is replayed, not written twice.
    assert stored == len(writes), f"{stored} cases stored for {len(writes)} writes"
    listed = ", ".join(f"'{r}'" for r in references)
    assert cluster.count(f"SELECT count(*) FROM cases_case WHERE reference IN ({listed})") == stored
    assert cluster.count("SELECT count(*) FROM core_idempotentrequest") == stored
    print(
        f"outage: {len(answers)} requests, {len(during)} during the outage (all 503),"
        f" {sum(a.status == 503 for a in answers)} 503 in all, writes again {recovered - up:.1f} s"
        f" after the restart; {len(writes)} writes = {stored} stored; {len(retries)} sent again,"
        f" {len(replayed)} of them committed before and answered from their key"
    )
