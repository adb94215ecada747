"""The national overview as released: no figure of 1-4 persons, none derivable from the two
linked tables together, and the counts behind it recorded."""

from __future__ import annotations

from fractions import Fraction

from django.urls import reverse

from vejud.cases.models import CaseStatus
from vejud.cases.services import case_transition
from vejud.statistics.disclosure import MIN_SHOWN, ProtectedTable
from vejud.statistics.models import ReleasedTable
from vejud.statistics.published import published_overview
from vejud.statistics.selectors import national_overview
from vejud.statistics.tests.test_disclosure import _rank
from vejud.testing import make_case, verified_client

URL = reverse("statistics:overview")


def _figures(prefix: str, table: ProtectedTable) -> dict[tuple[str, int, int], int | None]:
    grid = [[*row, total] for row, total in zip(table.cells, table.row_totals, strict=True)]
    grid.append([*table.column_totals, table.total])
    return {(prefix, i, j): n for i, row in enumerate(grid) for j, n in enumerate(row)}


def _joint_derivable(statuses: ProtectedTable, units: ProtectedTable, open_rows: list[int]):
    """The hidden figures of the two tables that the shown ones determine, written here from
    the tables' meaning: rows and columns sum to their totals, and each track's open statuses
    sum to that track's total of open cases by unit."""
    figures = _figures("s", statuses) | _figures("u", units)
    hidden = sorted(f for f, n in figures.items() if n is None)
    index = {f: k for k, f in enumerate(hidden)}
    known = {f: n for f, n in figures.items() if n is not None}
    equations = []

    def add(terms):
        row = [Fraction(0)] * len(hidden)
        for figure, c in terms:
            if figure in index:
                row[index[figure]] += c
        if any(row):
            equations.append(row)

    for prefix, table in (("s", statuses), ("u", units)):
        h, w = len(table.rows), len(table.columns)
        for i in range(h + 1):
            add([((prefix, i, j), 1) for j in range(w)] + [((prefix, i, w), -1)])
        for j in range(w + 1):
            add([((prefix, i, j), 1) for i in range(h)] + [((prefix, h, j), -1)])
    for j in range(len(statuses.columns) + 1):
        add([(("s", i, j), 1) for i in open_rows] + [(("u", len(units.rows), j), -1)])
    assert known  # something is shown
    base = _rank(equations) if equations else 0
    return {
        f
        for f, k in index.items()
        if _rank([*equations, [Fraction(int(n == k)) for n in range(len(hidden))]]) == base
    }


def _cases(world):
    for _ in range(6):
        make_case(world.coordinator_a, world.unit_a)
    for _ in range(2):
        make_case(world.coordinator_b, world.unit_b)
    moved = make_case(world.coordinator_a, world.unit_a)
    case_transition(actor=world.coordinator_a, case=moved, target=CaseStatus.ASSESSMENT)


def test_no_figure_of_one_to_four_and_nothing_derivable_across_the_tables(world):
    _cases(world)
    truth = national_overview()
    published = published_overview()
    for table in (published.statuses, published.units, published.months):
        figures = _figures("t", table).values()
        assert all(n is None or n == 0 or n >= MIN_SHOWN for n in figures)
    open_rows = [i for i, row in enumerate(truth.statuses) if row.is_open]
    assert _joint_derivable(published.statuses, published.units, open_rows) == set()
    # What is shown is true: 9 cases in all, unit B's 2 hidden, unit A's 7 shown.
    assert published.statuses.total == truth.total == 9
    units = dict(zip(published.units.rows, published.units.row_totals, strict=True))
    assert units[world.unit_b.name] is None
    assert units[world.unit_a.name] in (None, 7)
    assert published.open_warnings == 0
    assert ReleasedTable.objects.filter(key="overview.cases").count() == 1


def test_a_change_of_one_to_four_since_an_earlier_release_today_is_hidden(world):
    for _ in range(7):
        make_case(world.coordinator_a, world.unit_a)
    first = published_overview()
    assert first.statuses.total == 7
    make_case(world.coordinator_a, world.unit_a)
    second = published_overview()
    # Seven this morning, eight now: the difference would name one new case.
    assert second.statuses.total is None
    assert ReleasedTable.objects.filter(key="overview.cases").count() == 2


def test_the_page_shows_hidden_figures_and_the_rule(world):
    _cases(world)
    page = verified_client(world.analyst).get(URL).content.decode()
    assert "•" in page and "Statistics Denmark" in page
