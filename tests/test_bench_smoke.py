"""``bench/run`` on a tiny dataset: the harness works end to end (not its timings).

The copy of the test database (already migrated) gets the reference data and 50
demo cases; the harness then starts gunicorn as production would, logs in its
users, drives every page a few times and writes its JSON. ``--smoke`` skips
collectstatic (the test settings' plain static storage), which alone takes
minutes on a busy machine; production figures come from full runs. Checked: every page is
there, answered as intended (200, or 302 for the action), with a query count.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from bench.harness import PAGES, psql
from vejud.testing import ensure_reference_data

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def tiny_database(transactional_db, django_db_blocker):
    if connection.vendor != "postgresql":
        pytest.skip("bench/run measures PostgreSQL (run with DATABASE_URL=postgres://...)")
    s = connection.settings_dict
    credentials = quote(s["USER"] or "", safe="")
    if s["PASSWORD"]:
        credentials += ":" + quote(s["PASSWORD"], safe="")
    server = f"postgres://{credentials}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    name = f"{s['NAME']}_bench_smoke"
    # An earlier transactional test on this worker may have flushed the shipped reference data.
    ensure_reference_data()
    connection.close()  # a template database must have no other session
    psql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(server, f'CREATE DATABASE "{name}" TEMPLATE "{s["NAME"]}"')
    yield f"{server}/{name}"
    psql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # no open transaction: the database is copied
def test_bench_run_measures_every_page_on_a_tiny_dataset(tiny_database, tmp_path):
    out = tmp_path / "results.json"
    result = subprocess.run(
        [
            str(ROOT / "bench" / "run"),
            "--database-url",
            tiny_database,
            "--cases",
            "50",
            "--requests",
            "4",
            "--warmup",
            "1",
            "--concurrency",
            "2",
            "--workers",
            "2",
            "--history",
            "25",
            "--out",
            str(out),
            "--smoke",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    data = json.loads(out.read_text())
    size = data["sizes"]["50"]
    assert size["cases"] >= 50
    for name in PAGES:
        page = size["pages"][name]
        expected = "302" if name == "action" else "200"
        assert page["statuses"] == {expected: page["requests"]}, name
        assert page["requests"] == (4 * (len(PAGES) - 1) if name == "floor" else 4), name
        assert page["queries"] and page["queries"] > 0, name
        assert page["p95_ms"] >= page["p50_ms"] > 0, name
        # The largest worker's memory after the page: a whole Django process, tens of MB.
        assert 20 < page["worker_mb"] < 2000, name
        assert size["checks"][name]["problems"] == [], name
    assert size["pages"]["floor"]["ratio_p50"] == 1.0
    # The name searched for finds one of the user's cases, at this size as at a million.
    assert size["name_search_found"] == 1
    assert "the name search finds 1 of the user's cases" in result.stdout
    # Bare Django, measured in the same rounds: the same three queries as the floor (session,
    # user, the name), and the floor's ratio to it.
    bare = size["bare"]
    assert bare["statuses"] == {"200": 4 * (len(PAGES) - 1)}
    assert bare["queries"] == size["pages"]["floor"]["queries"] == 3
    assert size["pages"]["floor"]["bare_ratio_p95"] > 0
    assert size["checks"]["bare"]["problems"] == []
    assert "bare Django" in result.stdout
    assert any(t["target"].startswith("floor: p95 <= 2x bare Django") for t in data["targets"])
    assert {t["target"] for t in data["targets"]}
    assert "Targets:" in result.stdout
    assert "worker MB" in result.stdout
