"""Print a ``bench/run`` result file as Markdown tables (for ``bench/RESULTS.md``).

.venv/bin/python -m bench.report bench/results-10000-1000000.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.harness import PAGES


def markdown(result: dict[str, Any]) -> str:
    lines: list[str] = []
    sizes = sorted(result["sizes"].items(), key=lambda item: int(item[0]))
    for size, data in sizes:
        lines += [
            f"### {int(size):,} cases ({data['cases']:,} in `{data['database']}`)",
            "",
            f"Unit measured: {data['unit']} ({data['unit_cases']:,} cases in its caseload).",
            "",
            *_seed_and_bare(data),
            "| Page | p50 ms | p95 ms | req/s | × floor p50 | × floor p95 | SQL queries |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for name in PAGES:
            if name not in data["pages"]:
                continue  # a page added after an earlier result file was measured
            s = data["pages"][name]
            lines.append(
                f"| {name} | {s['p50_ms']:.1f} | {s['p95_ms']:.1f} | {s['throughput_rps']} "
                f"| {s['ratio_p50']:.2f} | {s['ratio_p95']:.2f} | {s['queries']} |"
            )
        lines.append("")
    if len(sizes) > 1:
        (small_size, small), (large_size, large) = sizes[0], sizes[-1]
        lines += [
            f"### Growth: {int(large_size):,} ÷ {int(small_size):,} cases",
            "",
            "| Page | p50 ratio | p95 ratio | queries |",
            "|---|---:|---:|---|",
        ]
        for name in PAGES:
            if name not in small["pages"] or name not in large["pages"]:
                continue
            a, b = small["pages"][name], large["pages"][name]
            lines.append(
                f"| {name} | {b['p50_ms'] / a['p50_ms']:.2f} | {b['p95_ms'] / a['p95_ms']:.2f} "
                f"| {a['queries']} → {b['queries']} |"
            )
        lines.append("")
    lines += ["### Targets", "", "| Target | Measured | Holds |", "|---|---|---|"]
    for target in result["targets"]:
        verdict = {True: "yes", False: "**no**", None: "not evaluated"}[target["holds"]]
        lines.append(f"| {target['target']} | {target['detail']} | {verdict} |")
    return "\n".join(lines) + "\n"


def _seed_and_bare(data: dict[str, Any]) -> list[str]:
    lines = []
    seeded = data.get("seed")
    if seeded:
        lines.append(
            f"Seeded by this run in {seeded['seconds']} s; the seeder's peak memory"
            f" {seeded['peak_rss_mb']} MB."
        )
    bare, floor = data.get("bare"), data["pages"]["floor"]
    if bare:
        lines.append(
            f"Bare Django (same rounds): p50 {bare['p50_ms']:.1f} ms, p95 {bare['p95_ms']:.1f} ms,"
            f" {bare['throughput_rps']} req/s, {bare['queries']} queries; the floor is"
            f" {floor['bare_ratio_p50']:.2f}× it at p50 and {floor['bare_ratio_p95']:.2f}× at p95."
        )
    return [*lines, ""] if lines else []


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    print(markdown(json.loads(Path(sys.argv[1]).read_text())), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
