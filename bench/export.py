"""The export benchmark: anonymised case rows of every case, built by the real task worker.

    bench/export --database-url postgres://postgres@127.0.0.1:5432/vejud_bench_1000000

For each format (CSV, then XLSX): asks for the export through the service (as the page
does), runs ``vejud db_worker --batch`` (the production worker, production settings) and
measures its peak resident memory (``wait4``), the rows per second between the worker
taking the export and finishing it, and the progress the page would show (sampled from the
database every half second while it runs). Prints the figures and writes them as JSON.

Targets (issue 17): at least 50,000 rows/s and a worker's peak memory of 200 MB or less.
"""

# ruff: noqa: S608  (the only value put into the SQL is the export id, an int)
from __future__ import annotations

import argparse
import json
import threading
import time
from pathlib import Path
from typing import Any

from bench.harness import BIN, PYTHON, clean_env, generated_keys, log, psql, run, run_peak

TARGET_ROWS_PER_SECOND = 50_000
TARGET_PEAK_MB = 200


def _progress(url: str, database: str, export_id: int, stop: threading.Event) -> list[int]:
    samples: list[int] = []
    while not stop.is_set():
        done = psql(url, f"SELECT rows_done FROM exports_export WHERE id = {export_id}", database)
        if done:
            samples.append(int(done))
        stop.wait(0.5)
    return samples


def measure(args: argparse.Namespace, fmt: str, env: dict[str, str]) -> dict[str, Any]:
    base, database = args.database_url.rsplit("/", 1)
    prepared = json.loads(run([str(PYTHON), "-m", "bench.export_prepare", fmt], env))
    export_id = int(prepared["export"])
    log(f"{fmt}: export {export_id} asked for; running the worker")
    stop = threading.Event()
    samples: list[int] = []
    poller = threading.Thread(
        target=lambda: samples.extend(_progress(base, database, export_id, stop)), daemon=True
    )
    poller.start()
    started = time.monotonic()
    peak_kib = run_peak(
        [str(BIN / "vejud"), "db_worker", "--batch", "--no-startup-delay", "--no-reload"], env
    )
    wall = time.monotonic() - started
    stop.set()
    poller.join()
    row = psql(
        base,
        "SELECT status, rows_done, size, EXTRACT(EPOCH FROM finished_at - started_at), "
        f"(SELECT count(*) FROM exports_exportchunk WHERE export_id = {export_id}) "
        f"FROM exports_export WHERE id = {export_id}",
        database,
    )
    status, rows, size, seconds, chunks = row.split("|")
    rows_per_second = int(rows) / float(seconds)
    peak_mb = round(peak_kib / 1024)
    result = {
        "format": fmt,
        "status": status,
        "rows": int(rows),
        "bytes": int(size),
        "chunks": int(chunks),
        "build_seconds": round(float(seconds), 2),
        "worker_wall_seconds": round(wall, 2),
        "rows_per_second": round(rows_per_second),
        "worker_peak_mb": peak_mb,
        "progress_samples": sorted(set(samples)),
    }
    if fmt == "csv":
        result["targets"] = {
            f"rows/s >= {TARGET_ROWS_PER_SECOND:,}": rows_per_second >= TARGET_ROWS_PER_SECOND,
            f"worker peak <= {TARGET_PEAK_MB} MB": peak_mb <= TARGET_PEAK_MB,
        }
    # The file is not needed after the measurement: it expires now.
    psql(base, f"DELETE FROM exports_exportchunk WHERE export_id = {export_id}", database)
    psql(
        base,
        f"UPDATE exports_export SET status = 'expired' WHERE id = {export_id}",
        database,
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/export", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a seeded, migrated database")
    parser.add_argument("--formats", default="csv,xlsx", help="comma-separated (csv,xlsx)")
    parser.add_argument("--out", type=Path, default=Path("bench/results-export.json"))
    args = parser.parse_args(argv)
    env = clean_env(
        DEBUG="0",
        DATABASE_URL=args.database_url,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        VEJUD_SSL_REDIRECT="0",
        **generated_keys(),
    )
    log("migrate (production settings)")
    run([str(BIN / "vejud"), "migrate", "-v0"], env)
    results = [measure(args, fmt, env) for fmt in args.formats.split(",")]
    for result in results:
        targets = result.pop("targets", {})
        samples = result.pop("progress_samples")
        print(
            f"{result['format']}: {result['rows']:,} rows, {result['bytes'] / 1e6:.1f} MB in "
            f"{result['chunks']} encrypted chunks, {result['build_seconds']} s "
            f"({result['rows_per_second']:,} rows/s), worker peak {result['worker_peak_mb']} MB, "
            f"{len(samples)} distinct progress values seen"
        )
        for target, holds in targets.items():
            print(f"  {'PASS' if holds else 'FAIL'}  {target}")
        result["targets"] = targets
        result["progress_values_seen"] = len(samples)
    args.out.write_text(json.dumps({"results": results}, indent=2) + "\n")
    return 0 if all(all(r["targets"].values()) for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
