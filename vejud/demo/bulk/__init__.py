"""Bulk demo data: many realistic cases fast, for demos and performance work.

``vejud seed-demo --cases N`` makes the showcase cases through the real services
(``vejud.demo.showcase``) and the rest here: the exit process is simulated day by
day and the rows are written straight to the tables (COPY on PostgreSQL), each
batch in one transaction with its audit records chained exactly as the services
chain them, so ``vejud audit verify`` checks the whole trail.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from random import Random

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from vejud.accounts.models import User
from vejud.demo.bulk.generator import COVERAGE, Generator
from vejud.demo.bulk.tables import TABLES
from vejud.demo.bulk.writer import BulkWriter, make_sink
from vejud.statistics.figures import figures_rebuild
from vejud.statistics.services import counters_rebuild

# Rows per batch: large enough for COPY to stream, small enough to keep memory flat. At most
# three batches live at once (being generated, queued, being written), whatever the cases.
FLUSH_ROWS = {"postgresql": 50_000, "sqlite": 50_000}
# Up to this many cases every change is audited as the services audit it; above it the
# trail records each case's life cycle (person, case, reopening, transitions, decisions,
# closure, the pool's budget entries) but not each journal note, instrument, consent,
# plan item, review or grant step, so a million cases stay near thirty million rows.
FULL_AUDIT_CASES = 20_000
MAX_CASES = 2_500_000
# From this many cases on (PostgreSQL, own connection) the secondary indexes and foreign
# keys of the written tables are built after the load instead of row by row during it.
DEFER_INDEXES_CASES = 50_000
PROGRESS_SECONDS = 10.0


@dataclass
class BulkResult:
    cases: int = 0
    seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)
    statuses: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def _run_beside_writer(
    generator: Generator, writer: BulkWriter, report: Callable[..., None]
) -> None:
    """Generate here while a writer process (or thread) writes, on its own connection."""
    sink = generator.sink = make_sink(writer, generator.labels)
    try:
        generator.run(COVERAGE)
    finally:
        sink.close()
    report(generator, final=True)


def bulk_seed(
    *,
    cases: int,
    seed: int = 1,
    staff: dict[str, User],
    progress: Callable[[str], None] | None = None,
    flush_rows: int | None = None,
    full_audit: bool | None = None,
    defer_indexes: bool | None = None,
) -> BulkResult:
    """Add ``cases`` simulated cases (persons, journals, instruments, decisions, courses,
    reviews, audit trail and access log) acting as the demo ``staff``.

    The first cases cover every status on both tracks; the rest follow the usual mix.
    Refused with DEBUG off, like the rest of the demo data.
    """
    if not (settings.DEBUG or settings.TESTING):
        raise RuntimeError(
            "The demo data has a published password: it is never seeded with DEBUG off."
        )
    result = BulkResult()
    if cases <= 0:
        return result
    if cases > MAX_CASES:
        # Spread over more than ~30 years, birth dates would leave the CPR number's range.
        raise ValueError(f"At most {MAX_CASES:,} bulk cases.")
    connection = connections[DEFAULT_DB_ALIAS]
    if defer_indexes is None:
        defer_indexes = cases >= DEFER_INDEXES_CASES
    writer = BulkWriter(DEFAULT_DB_ALIAS, TABLES)
    started = time.monotonic()
    last_report = [started]

    def report(generator: Generator, *, final: bool = False) -> None:
        now = time.monotonic()
        if progress is None or (not final and now - last_report[0] < PROGRESS_SECONDS):
            return
        last_report[0] = now
        rows = sum(writer.written.values())
        took = max(now - started, 1e-9)
        progress(
            f"  {generator.opened:>9,} of {cases:,} cases, {rows:>11,} rows, "
            f"{took:6.0f} s, {rows / took:9,.0f} rows/s"
        )

    generator = Generator(
        cases=cases,
        rng=Random(f"vejud-bulk-{seed}"),
        staff=staff,
        writer=writer,
        flush_rows=flush_rows or FLUSH_ROWS[connection.vendor],
        full_audit=cases <= FULL_AUDIT_CASES if full_audit is None else full_audit,
        on_flush=report,
    )
    if progress is not None:
        progress(
            f"Bulk cases: {cases:,} over {generator.first_day_date():%Y-%m-%d} to "
            f"{generator.last_day_date():%Y-%m-%d} ({connection.vendor})"
        )
    statistics_rebuilt = False

    def rebuild_statistics(*, analyse: bool = True) -> None:
        nonlocal statistics_rebuilt
        started_statistics = time.monotonic()
        # The statistics triggers were set aside for the load (or counted every COPY):
        # the counters are recounted from the rows.
        counters_rebuild()
        figures_rebuild()  # the dashboard's figures: the bulk rows were written without receivers
        if analyse:  # (beside the index build, the rebuild analyses once the indexes are)
            writer.analyse()
        statistics_rebuilt = True
        if progress is not None:
            progress(
                f"  {'planner statistics, ' if analyse else ''}counters and dashboard figures "
                f"rebuilt in {time.monotonic() - started_statistics:.1f} s"
            )

    collecting = gc.isenabled()
    gc.disable()  # millions of small tuples and no cycles: the collector only costs time
    try:
        if connection.vendor == "sqlite":
            # One transaction: ids are taken after the largest id under SQLite's write lock.
            with transaction.atomic():
                generator.run(COVERAGE)
            report(generator, final=True)
        elif connection.in_atomic_block:
            # Inside the caller's transaction (tests): a second connection would not see it.
            generator.run(COVERAGE)
            report(generator, final=True)
        elif defer_indexes:
            # As a restore does: indexes, foreign keys and the redundant per-row triggers
            # set aside for the load; the statistics are rebuilt while the indexes are built.
            with (
                writer.deferred_indexes(progress, during=lambda: rebuild_statistics(analyse=False)),
                writer.triggers_set_aside(progress),
            ):
                _run_beside_writer(generator, writer, report)
        else:
            _run_beside_writer(generator, writer, report)
    finally:
        if collecting:
            gc.enable()
    if not statistics_rebuilt:
        rebuild_statistics()
    result.cases = generator.opened
    result.seconds = time.monotonic() - started
    result.rows = dict(writer.written)
    result.statuses = dict(generator.statuses)
    if progress is not None:
        for table, count in result.rows.items():
            progress(f"    {table:<36} {count:>12,}")
        progress(
            f"  {result.total_rows:,} rows in {result.seconds:.1f} s "
            f"({result.total_rows / max(result.seconds, 1e-9):,.0f} rows/s)"
        )
    return result
