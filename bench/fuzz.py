"""``bench/fuzz``: schemathesis against the API of a running gunicorn on PostgreSQL.

Not part of every test run (it takes a while); run it before a release and record the result
in bench/RESULTS.md. Steps: a fresh database on the PostgreSQL server (``--pg``), migrated
with production settings (``DEBUG=0``, keys generated for the run); the data of
``bench.fuzz_prepare`` (cases at every stage, a full course, a release plan, the pool, a
token per role); gunicorn as the README's production section runs it; then ``st run --checks
all`` once per role's token, every phase (examples, coverage, fuzzing, stateful), with the
prepared references and ids offered as path parameters (schemathesis dictionaries) so that
requests get past the 404 of a random reference, and the OpenAPI links the API declares
driving the stateful phase. Runs until at least ``--calls`` API calls were made; prints and
writes (``--out``) the counts: calls, 5xx, and each check's failures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.harness import (
    BIN,
    DEFAULT_PG,
    PYTHON,
    ROOT,
    clean_env,
    generated_keys,
    log,
    psql,
    run,
    start_server,
)

SCHEMA_PATH = "/api/v1/openapi.json"


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/fuzz", description=__doc__.split("\n")[0])
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL server URL (no database)")
    parser.add_argument("--database", default="vejud_fuzz", help="database to (re)create")
    parser.add_argument("--calls", type=int, default=10_000, help="minimum API calls")
    parser.add_argument("--max-examples", type=int, default=30, help="per operation and round")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--st-workers", type=int, default=2, help="schemathesis workers")
    parser.add_argument("--out", type=Path, default=None, help="write the counts as JSON here")
    parser.add_argument("--seed", type=int, default=None, help="schemathesis' random seed")
    parser.add_argument(
        "--max-steps", type=int, default=20, help="calls per stateful scenario (a chain's length)"
    )
    parser.add_argument(
        "--phases", default="examples,coverage,fuzzing,stateful", help="schemathesis' phases"
    )
    return parser.parse_args(argv)


def config_toml(prepared: dict[str, Any], max_steps: int) -> str:
    """A schemathesis.toml offering the prepared references and ids as path parameters, with
    stateful scenarios long enough to follow the links from a list to the deep operations."""
    lines = [
        "[phases.stateful]",
        f"max-steps = {int(max_steps)}",
        "",
        "[phases.stateful.inference]",
        "algorithms = []",
        "",
        "[dictionaries.references]",
        f"values = {json.dumps(prepared['references'])}",
    ]
    for name, value in prepared["ids"].items():
        lines += [f"[dictionaries.{name}]", f"values = [{int(value)}]"]
    for name, values in prepared["body"].items():
        lines += [f"[dictionaries.body_{name}]", f"values = {json.dumps(values)}"]
    lines += ["", "[parameters]"]
    for name, values in prepared["body"].items():
        if values:
            lines.append(f'"body.{name}" = {{ dictionary = "body_{name}", probability = 0.5 }}')
    lines.append('"path.reference" = { dictionary = "references", probability = 0.9 }')
    for name in prepared["ids"]:
        lines.append(f'"path.{name}" = {{ dictionary = "{name}", probability = 0.8 }}')
    return "\n".join(lines) + "\n"


def count(ndjson: Path) -> dict[str, Any]:
    """Count the calls, their status classes and each check's failures in an ndjson report."""
    calls = 0
    statuses: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    followed: Counter[str] = Counter()  # calls made through a link, by link
    followed_2xx: Counter[str] = Counter()
    for line in ndjson.read_text().splitlines():
        event = json.loads(line) if line.strip() else {}
        recorder = (event.get("ScenarioFinished") or {}).get("recorder") or {}
        interactions = recorder.get("interactions") or {}
        checks = recorder.get("checks") or {}
        for case_id, node in (recorder.get("cases") or {}).items():
            transition = node.get("transition") or {}
            if not node.get("is_transition_applied") or not transition.get("id"):
                continue
            status = ((interactions.get(case_id) or {}).get("response") or {}).get("status_code")
            if status is None:
                continue
            link = ("inferred " if transition.get("is_inferred") else "") + transition["id"]
            followed[link] += 1
            if isinstance(status, int) and 200 <= status < 300:
                followed_2xx[link] += 1
        for case_id, interaction in interactions.items():
            calls += 1
            response = interaction.get("response") or {}
            status = response.get("status_code")
            statuses[f"{status // 100}xx" if isinstance(status, int) else "none"] += 1
            for check in checks.get(case_id, []):
                if check.get("status") != "failure":
                    continue
                name = check.get("name", "?")
                failures[name] += 1
                request = interaction.get("request") or {}
                sample = f"{request.get('method')} {request.get('uri')} -> {status}"
                examples.setdefault(name, [])
                if len(examples[name]) < 5 and sample not in examples[name]:
                    examples[name].append(sample)
    return {
        "calls": calls,
        "statuses": dict(statuses),
        "failures": dict(failures),
        "examples": examples,
        "followed": dict(followed),
        "followed_2xx": dict(followed_2xx),
    }


def links_summary(followed: Counter[str], followed_2xx: Counter[str]) -> dict[str, Any]:
    """How many links the stateful phase followed (declared and schemathesis' inferred ones)."""
    declared = {link for link in followed if not link.startswith("inferred ")}
    return {
        "links_followed": len(followed),
        "declared_links_followed": len(declared),
        "declared_links_answered_2xx": len(declared & set(followed_2xx)),
        "calls_through_links": sum(followed.values()),
        "calls_through_links_2xx": sum(followed_2xx.values()),
        "calls_through_declared_links": sum(followed[link] for link in declared),
    }


def _stop(signum: int, frame: Any) -> None:
    raise SystemExit(f"bench/fuzz: stopped by signal {signum}")  # runs the server's stop


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    if not re.fullmatch(r"[A-Za-z0-9_]+", args.database):
        raise SystemExit("bench/fuzz: --database must be a plain name")
    work = Path(tempfile.mkdtemp(prefix="vejud-fuzz-"))
    url = f"{args.pg.rstrip('/')}/{args.database}"
    log(f"fresh database {args.database}")
    psql(args.pg, f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    psql(args.pg, f'CREATE DATABASE "{args.database}"')
    env = clean_env(
        DEBUG="0",
        DATABASE_URL=url,
        VEJUD_VAR_DIR=str(work),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        VEJUD_SSL_REDIRECT="0",  # plain HTTP on the loopback, no TLS proxy in front
        VEJUD_TESTING="1",  # plain static storage: the API renders no page, no collectstatic
        **generated_keys(),
    )
    run([str(BIN / "vejud"), "migrate", "-v0"], env)
    run([str(BIN / "vejud"), "load-reference"], env)  # municipalities, as in production
    log("preparing cases, the pool and a token per role")
    prepared = json.loads(run([str(PYTHON), "-m", "bench.fuzz_prepare"], env))
    (work / "schemathesis.toml").write_text(config_toml(prepared, args.max_steps))
    server = start_server(env, args.workers, work)
    base = f"http://127.0.0.1:{server.port}"
    signal.signal(signal.SIGTERM, _stop)
    # The schema once, with time to spare (the first request warms the workers up); schemathesis
    # then reads it from the file instead of timing out on a busy machine.
    schema_file = work / "openapi.json"
    first_token = next(iter(prepared["tokens"].values()))
    request = urllib.request.Request(
        f"{base}{SCHEMA_PATH}", headers={"Authorization": f"Bearer {first_token}"}
    )
    with urllib.request.urlopen(request, timeout=300) as response:
        schema_file.write_bytes(response.read())
    total: dict[str, Any] = {
        "calls": 0,
        "statuses": Counter(),
        "failures": Counter(),
        "examples": {},
        "followed": Counter(),
        "followed_2xx": Counter(),
    }
    rounds = 0
    started = time.monotonic()
    started_utc = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    schemathesis_version = subprocess.run(
        [str(BIN / "st"), "--version"], capture_output=True, text=True
    ).stdout.strip()
    try:
        while total["calls"] < args.calls:
            for role, token in prepared["tokens"].items():
                rounds += 1
                report = work / f"round-{rounds}-{role}.ndjson"
                command = [
                    str(BIN / "st"),
                    "--config-file",
                    str(work / "schemathesis.toml"),
                    "run",
                    str(schema_file),
                    "--url",
                    base,
                    "--checks",
                    "all",
                    "--phases",
                    args.phases,
                    "--header",
                    f"Authorization: Bearer {token}",
                    "--max-examples",
                    str(args.max_examples),
                    "--workers",
                    str(args.st_workers),
                    "--continue-on-failure",
                    "--no-color",
                    "--report",
                    "ndjson",
                    "--report-ndjson-path",
                    str(report),
                    "--request-timeout",
                    "30",
                    "--seed",
                    str((args.seed or int(time.time())) + rounds),
                ]
                log(f"round {rounds}: {role}")
                result = subprocess.run(
                    command, cwd=work, capture_output=True, text=True, check=False
                )
                (work / f"round-{rounds}-{role}.txt").write_text(result.stdout + result.stderr)
                counted: dict[str, Any] = count(report) if report.exists() else {"calls": 0}
                if not counted["calls"]:
                    raise SystemExit(
                        f"bench/fuzz: round {rounds} made no call:\n{result.stdout[-2000:]}"
                    )
                total["calls"] += counted["calls"]
                total["statuses"].update(counted["statuses"])
                total["failures"].update(counted["failures"])
                total["followed"].update(counted["followed"])
                total["followed_2xx"].update(counted["followed_2xx"])
                for name, samples in counted["examples"].items():
                    total["examples"].setdefault(name, [])
                    total["examples"][name] += samples[: 5 - len(total["examples"][name])]
                log(
                    f"  {counted['calls']} calls {dict(counted['statuses'])}"
                    f" failures {dict(counted['failures'])};"
                    f" {sum(counted['followed'].values())} through {len(counted['followed'])}"
                    f" links; total {total['calls']}"
                )
                if total["calls"] >= args.calls:
                    break
    finally:
        server.stop()
    errors = sum(1 for line in server.log_path.read_text().splitlines() if " ERROR " in line)
    summary = {
        "commit": commit,
        "started_utc": started_utc,
        "finished_utc": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "load_average_at_start": load_at_start,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "schemathesis": schemathesis_version,
        "calls": total["calls"],
        "rounds": rounds,
        "minutes": round((time.monotonic() - started) / 60, 1),
        "statuses": dict(total["statuses"]),
        "server_5xx": total["statuses"].get("5xx", 0),
        "check_failures": dict(total["failures"]),
        "examples": total["examples"],
        "server_log_errors": errors,
        **links_summary(total["followed"], total["followed_2xx"]),
        "followed": dict(sorted(total["followed"].items())),
        "work_dir": str(work),
    }
    print(json.dumps(summary, indent=2))
    if args.out:
        args.out.write_text(json.dumps(summary, indent=2) + "\n")
    return 0 if summary["server_5xx"] == 0 and not summary["check_failures"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
