"""Disclosure control: no released figure of 1-4 persons, none that can be worked out from the
shown figures, and no release that can be subtracted from an earlier one to reveal one."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vejud.statistics.disclosure import MIN_SHOWN, ProtectedTable, protect, release
from vejud.statistics.models import ReleasedTable

# Many small counts, so that suppression has work to do.
counts = st.one_of(st.integers(0, 6), st.integers(0, 60))
tables = st.integers(1, 5).flatmap(
    lambda columns: st.lists(
        st.lists(counts, min_size=columns, max_size=columns), min_size=1, max_size=6
    )
)


def _figures(table: ProtectedTable) -> list[list[int | None]]:
    """The shown grid: the cells with the row totals, then the column totals and the total."""
    grid = [[*row, total] for row, total in zip(table.cells, table.row_totals, strict=True)]
    return [*grid, [*table.column_totals, table.total]]


def _rank(rows: list[list[Fraction]]) -> int:
    """The rank of a matrix by Gaussian elimination (written here apart from the product's)."""
    matrix = [row[:] for row in rows]
    rank = 0
    width = len(matrix[0]) if matrix else 0
    for col in range(width):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][col] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        for r in range(len(matrix)):
            if r != rank and matrix[r][col] != 0:
                f = matrix[r][col] / matrix[rank][col]
                matrix[r] = [a - f * b for a, b in zip(matrix[r], matrix[rank], strict=True)]
        rank += 1
    return rank


def derivable(figures: list[list[int | None]]) -> set[tuple[int, int]]:
    """The hidden figures an attacker can compute from the shown ones: those whose unit vector
    does not raise the rank of the equations (each row and column sums to its total)."""
    height, width = len(figures) - 1, len(figures[0]) - 1
    hidden = [(i, j) for i in range(height + 1) for j in range(width + 1) if figures[i][j] is None]
    index = {cell: k for k, cell in enumerate(hidden)}
    equations = []
    lines = [[(i, j) for j in range(width + 1)] for i in range(height + 1)]
    lines += [[(i, j) for i in range(height + 1)] for j in range(width + 1)]
    for line in lines:
        row = [Fraction(0)] * len(hidden)
        for i, j in line:
            total = (j == width) if line[0][0] == line[-1][0] else (i == height)
            if (i, j) in index:
                row[index[(i, j)]] += -1 if total else 1
        if any(row):
            equations.append(row)
    base = _rank(equations) if equations else 0
    found = set()
    for cell, k in index.items():
        unit = [Fraction(int(n == k)) for n in range(len(hidden))]
        if _rank([*equations, unit]) == base:
            found.add(cell)
    return found


@settings(max_examples=150, deadline=None)
@given(tables)
def test_no_shown_figure_is_one_to_four_and_no_hidden_one_can_be_derived(values):
    table = protect(values)
    figures = _figures(table)
    shown = [n for row in figures for n in row if n is not None]
    assert all(n == 0 or n >= MIN_SHOWN for n in shown)
    assert derivable(figures) == set()
    # What is shown is true.
    for i, row in enumerate(values):
        for j, n in enumerate(row):
            assert table.cells[i][j] in (None, n)
        assert table.row_totals[i] in (None, sum(row))
    assert table.total in (None, sum(map(sum, values)))


def test_a_single_small_cell_takes_others_with_it():
    table = protect([[3, 10, 12], [20, 30, 40], [25, 35, 45]])
    assert table.cells[0][0] is None
    # Its row and column would give it away: a rectangle of small cells goes with it, the
    # rest and every total stay.
    assert sum(n is None for row in table.cells for n in row) == 4
    assert table.cells[2][2] == 45
    assert None not in table.row_totals and None not in table.column_totals
    assert derivable(_figures(table)) == set()


def test_zeros_are_shown_and_big_tables_untouched():
    table = protect([[0, 10], [20, 0]])
    assert table.cells == [[0, 10], [20, 0]] and table.hidden == 0


@pytest.mark.django_db
def test_a_release_cannot_be_subtracted_from_an_earlier_one():
    rows, columns = ["north", "south"], ["opened", "ended"]
    first = release(
        "test.table",
        [[20, 30], [40, 50]],
        rows=rows,
        columns=columns,
        period=(date(2026, 1, 1), date(2026, 5, 31)),
    )
    assert first.hidden == 0
    # One more month: north gained 2 openings. Shown as it is, January-June less
    # January-May would say "2 openings in the north in June".
    second = release(
        "test.table",
        [[22, 30], [40, 55]],
        rows=rows,
        columns=columns,
        period=(date(2026, 1, 1), date(2026, 6, 30)),
    )
    assert second.cells[0][0] is None
    old = _figures(first)
    new = _figures(second)
    for i, row in enumerate(new):
        for j, n in enumerate(row):
            if n is not None and old[i][j] is not None:
                assert n - old[i][j] == 0 or abs(n - old[i][j]) >= MIN_SHOWN
    assert derivable(new) == set()
    assert ReleasedTable.objects.filter(key="test.table").count() == 2
    # A release of another period that neither contains nor lies within them is not compared.
    other = release(
        "test.table",
        [[22, 30], [40, 55]],
        rows=rows,
        columns=columns,
        period=(date(2026, 7, 1), date(2026, 7, 31)),
    )
    assert other.hidden == 0


@settings(max_examples=40, deadline=None)
@given(tables, st.data())
@pytest.mark.django_db
def test_differencing_never_reveals_a_small_count(values, data):
    rows = [f"r{i}" for i in range(len(values))]
    columns = [f"c{j}" for j in range(len(values[0]))]
    later = [[n + data.draw(st.integers(0, 6)) for n in row] for row in values]
    ReleasedTable.objects.filter(key="prop").delete()
    first = release(
        "prop", values, rows=rows, columns=columns, period=(date(2026, 1, 1), date(2026, 1, 31))
    )
    second = release(
        "prop", later, rows=rows, columns=columns, period=(date(2026, 1, 1), date(2026, 2, 28))
    )
    old, new = _figures(first), _figures(second)
    for i, row in enumerate(new):
        for j, n in enumerate(row):
            if n is not None and old[i][j] is not None:
                assert n == old[i][j] or abs(n - old[i][j]) >= MIN_SHOWN
    assert derivable(new) == set()
