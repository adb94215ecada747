"""Disclosure control: no figure the system releases lets anyone count 1-4 persons.

Statistics Denmark's discretion rule: a cell of 1-4 persons is not shown (primary
suppression). Hiding it is not enough where the row or column total is shown: the hidden cell
is the total less the others. So further cells are hidden (secondary suppression) until no
hidden cell can be worked out from what is shown by any sum or difference of the table's
rows, columns and totals: each hidden cell is checked by exact linear algebra over the
table's equations (a cell is determined exactly when its unit vector lies in the row space
of the equations' coefficients on the hidden cells). The next cell hidden is the smallest
shown non-zero cell of a line through a determined one, so as little as possible is lost.
Zeros are shown: a zero reveals no person.

A table is released through ``release``: it is recorded (``ReleasedTable``: the true
counts, the period they cover and what was shown), and before it is shown it is compared
with every earlier release of the same table whose period contains the new one or lies
within it. Where the difference of a cell between the two is 1-4 persons, subtracting one
release from the other would reveal it, so the cell is hidden in the new release (which is
then protected again as above).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import lru_cache
from typing import Any

from django.db.models import Q

from vejud.statistics.models import ReleasedTable

MIN_SHOWN = 5  # cells of 1..MIN_SHOWN-1 persons are never shown

Cell = tuple[int, int]
Figure = Hashable  # a figure's name in a system of linked tables
Equation = list[tuple[Figure, int]]  # coefficients of figures that sum to zero


@dataclass(frozen=True)
class ProtectedTable:
    """A table with its totals, where ``None`` marks a hidden figure.

    ``cells[i][j]`` for the rows and columns, ``row_totals[i]``, ``column_totals[j]`` and
    ``total``; ``hidden`` counts the figures hidden (totals included).
    """

    rows: list[str]
    columns: list[str]
    cells: list[list[int | None]]
    row_totals: list[int | None]
    column_totals: list[int | None]
    total: int | None
    hidden: int

    def lines(self) -> list[tuple[str, list[int | None], int | None]]:
        """Each row's label, cells and total, for a template."""
        return list(zip(self.rows, self.cells, self.row_totals, strict=True))


def _grid(values: Sequence[Sequence[int]]) -> list[list[int]]:
    """The table with its totals as one grid: the last row and the last column are totals."""
    columns = len(values[0]) if values else 0
    grid = [[*row, sum(row)] for row in values]
    grid.append([sum(row[j] for row in grid) for j in range(columns + 1)])
    return grid


def grid_equations(rows: int, columns: int, name: Callable[[int, int], Figure]) -> list[Equation]:
    """The equations of a grid with totals: each row's and column's cells less its total."""
    lines = [
        [(name(i, j), 1) for j in range(columns)] + [(name(i, columns), -1)]
        for i in range(rows + 1)
    ]
    lines += [
        [(name(i, j), 1) for i in range(rows)] + [(name(rows, j), -1)] for j in range(columns + 1)
    ]
    return lines


def determined(hidden: Iterable[Figure], equations: Sequence[Equation]) -> set[Figure]:
    """Return the hidden figures that the shown ones determine exactly.

    Reduces the equations' coefficients on the hidden figures to reduced row echelon form
    (exact fractions); a hidden figure is determined when it is a pivot whose row has no
    other non-zero entry among the free (non-pivot) figures.
    """
    order = sorted(set(hidden), key=repr)
    index = {figure: k for k, figure in enumerate(order)}
    matrix = []
    for equation in equations:
        row = [Fraction(0)] * len(order)
        for figure, coefficient in equation:
            if figure in index:
                row[index[figure]] += coefficient
        if any(row):
            matrix.append(row)
    pivots: list[int] = []
    top = 0
    for col in range(len(order)):
        found = next((r for r in range(top, len(matrix)) if matrix[r][col] != 0), None)
        if found is None:
            continue
        matrix[top], matrix[found] = matrix[found], matrix[top]
        lead = matrix[top][col]
        matrix[top] = [value / lead for value in matrix[top]]
        for r in range(len(matrix)):
            if r != top and matrix[r][col] != 0:
                factor = matrix[r][col]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[top], strict=True)]
        pivots.append(col)
        top += 1
    free = [col for col in range(len(order)) if col not in pivots]
    return {
        order[col] for r, col in enumerate(pivots) if all(matrix[r][other] == 0 for other in free)
    }


def suppress(
    values: Mapping[Any, int], equations: Sequence[Equation], hide: Iterable[Figure] = ()
) -> set[Figure]:
    """Return the figures to hide: every figure of 1-4, ``hide``, and as many more as needed
    so that no hidden figure is determined by the shown ones through ``equations``.

    First every equation with a single hidden figure gets its cheapest other figure hidden
    (the rest would give it away); then, for a figure still determined by longer sums, the
    cheapest figure of an equation through it whose hiding frees it.
    """
    hidden = {f for f, n in values.items() if 0 < n < MIN_SHOWN} | set(hide)
    lines = [[figure for figure, _c in equation] for equation in equations]

    def cheapest(figures: Iterable[Figure]) -> list[Figure]:
        unhidden = {f for f in figures if f not in hidden}
        return sorted(unhidden, key=lambda f: (values[f] == 0, values[f], repr(f)))

    while True:
        single = next((line for line in lines if sum(f in hidden for f in line) == 1), None)
        if single is not None:
            hidden.add(cheapest(single)[0])
            continue
        exposed = determined(hidden, equations)
        if not exposed:
            return hidden
        target = min(exposed, key=repr)
        around = cheapest({f for line in lines if target in line for f in line}) or cheapest(values)
        hidden.add(
            next(
                (f for f in around if target not in determined(hidden | {f}, equations)), around[0]
            )
        )


def table_from(
    grid: list[list[int]],
    hidden: set[Figure],
    name: Callable[[int, int], Figure],
    rows: Sequence[str],
    columns: Sequence[str],
) -> ProtectedTable:
    """The protected table of ``grid`` (totals last) as named figures, ``hidden`` hidden."""
    height, width = len(rows), len(columns)

    def shown(i: int, j: int) -> int | None:
        return None if name(i, j) in hidden else grid[i][j]

    return ProtectedTable(
        rows=list(rows),
        columns=list(columns),
        cells=[[shown(i, j) for j in range(width)] for i in range(height)],
        row_totals=[shown(i, width) for i in range(height)],
        column_totals=[shown(height, j) for j in range(width)],
        total=shown(height, width),
        hidden=sum(name(i, j) in hidden for i in range(height + 1) for j in range(width + 1)),
    )


def protect(
    values: Sequence[Sequence[int]],
    *,
    rows: Sequence[str] | None = None,
    columns: Sequence[str] | None = None,
    hide: Iterable[Cell] = (),
) -> ProtectedTable:
    """Return ``values`` with totals, every figure of 1-4 hidden and as many more as needed.

    ``hide`` names cells (``(row, column)``, totals at index ``len``) to hide as well, e.g.
    those an earlier release would reveal by difference.
    """
    grid = _grid(values)
    height, width = len(grid) - 1, len(grid[0]) - 1

    def name(i: int, j: int) -> Cell:
        return (i, j)

    figures = {(i, j): grid[i][j] for i in range(height + 1) for j in range(width + 1)}
    hidden = suppress(figures, grid_equations(height, width, name), hide)
    return table_from(
        grid,
        hidden,
        name,
        list(rows) if rows is not None else [str(i) for i in range(height)],
        list(columns) if columns is not None else [str(j) for j in range(width)],
    )


def _earlier(keys: Sequence[str], period: tuple[date, date]) -> dict[str, list[dict[str, int]]]:
    """The counts of the earlier releases of ``keys`` whose period contains ``period`` or lies
    within it (the same period included), by key: one query."""
    start, end = period
    earlier: dict[str, list[dict[str, int]]] = {key: [] for key in keys}
    for key, counts in (
        ReleasedTable.objects.filter(key__in=list(keys))
        .filter(
            Q(period_start__lte=start, period_end__gte=end)
            | Q(period_start__gte=start, period_end__lte=end)
        )
        .values_list("key", "counts")
    ):
        earlier[key].append(counts)
    return earlier


def _differing(figures: Mapping[str, int], earlier: Iterable[Mapping[str, int]]) -> set[str]:
    """The figures that differ by 1-4 from the same figure in an earlier release."""
    return {
        name
        for counts in earlier
        for name, n in figures.items()
        if name in counts and 0 < abs(n - counts[name]) < MIN_SHOWN
    }


def _record(key: str, figures: Mapping[str, int], period: tuple[date, date]) -> ReleasedTable:
    counts = dict(sorted(figures.items()))
    digest = hashlib.sha256(json.dumps(counts, sort_keys=True).encode()).hexdigest()
    start, end = period
    return ReleasedTable(key=key, period_start=start, period_end=end, counts=counts, digest=digest)


def release_figures(
    key: str,
    figures: Mapping[str, int],
    equations: Sequence[Equation],
    *,
    period: tuple[date, date],
) -> set[str]:
    """Protect and record the figures of release ``key`` over ``period`` (first and last
    day); return the names of the figures to hide.

    Earlier releases of ``key`` whose period contains this one or lies within it (the same
    period included) are compared figure by figure; a difference of 1-4 hides the figure.
    The true counts are kept with the release (never shown) so later releases are compared
    with them; a release with the same counts as one kept already is not kept again.
    """
    hide = _differing(figures, _earlier([key], period)[key])
    hidden = suppress(figures, equations, hide)
    ReleasedTable.objects.bulk_create(
        [_record(key, figures, period)],
        ignore_conflicts=True,  # the same counts released before: kept once
    )
    return {str(name) for name in hidden}


def _named_grid(
    values: Sequence[Sequence[int]], rows: Sequence[str], columns: Sequence[str]
) -> tuple[list[list[int]], Callable[[int, int], str], dict[str, int]]:
    grid = _grid(values) if values else [[0] * (len(columns) + 1)]
    keys = [*rows, ""], [*columns, ""]

    def name(i: int, j: int) -> str:
        return f"{keys[0][i]}|{keys[1][j]}"

    figures = {
        name(i, j): grid[i][j] for i in range(len(rows) + 1) for j in range(len(columns) + 1)
    }
    return grid, name, figures


def release(
    key: str,
    values: Sequence[Sequence[int]],
    *,
    rows: Sequence[str],
    columns: Sequence[str],
    period: tuple[date, date],
) -> ProtectedTable:
    """Release one table with totals (``release_figures``); rows and columns are stable keys."""
    grid, name, figures = _named_grid(values, rows, columns)
    hidden = release_figures(
        key, figures, grid_equations(len(rows), len(columns), name), period=period
    )
    return table_from(grid, set(hidden), name, rows, columns)


@lru_cache(maxsize=512)
def _grid_hidden(
    figures: tuple[tuple[str, int], ...],
    height: int,
    width: int,
    rows: tuple[str, ...],
    columns: tuple[str, ...],
    hide: frozenset[str],
) -> frozenset[str]:
    """``suppress`` for a named grid: a pure function of its arguments, so a page shown again
    with the same figures and the same earlier releases does not solve the equations again."""
    _unused_grid, name, _unused = _named_grid([[0] * width] * height, rows, columns)
    return frozenset(
        str(f) for f in suppress(dict(figures), grid_equations(height, width, name), hide)
    )


@dataclass(frozen=True)
class TableSpec:
    """A table to release: its key, counts (rows of columns) and stable row and column keys."""

    key: str
    values: list[list[int]]
    rows: list[str]
    columns: list[str]
    row_labels: list[str] | None = None
    column_labels: list[str] | None = None


def release_tables(
    specs: Sequence[TableSpec], *, period: tuple[date, date]
) -> list[ProtectedTable]:
    """Release several tables at once, each as ``release`` does, in two queries in all."""
    earlier = _earlier([spec.key for spec in specs], period)
    records, tables = [], []
    for spec in specs:
        grid, name, figures = _named_grid(spec.values, spec.rows, spec.columns)
        hide = frozenset(_differing(figures, earlier[spec.key]))
        hidden = _grid_hidden(
            tuple(figures.items()),
            len(spec.rows),
            len(spec.columns),
            tuple(spec.rows),
            tuple(spec.columns),
            hide,
        )
        records.append(_record(spec.key, figures, period))
        rows, columns = spec.row_labels or spec.rows, spec.column_labels or spec.columns
        tables.append(table_from(grid, set(hidden), name, rows, columns))
    ReleasedTable.objects.bulk_create(records, ignore_conflicts=True)
    return tables
