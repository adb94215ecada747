"""Rows into a file, in constant memory: CSV straight into the encrypted chunks, XLSX through
openpyxl's write-only workbook (rows go to a temporary file as they come).

Every text cell is neutralised against formula injection: a cell a spreadsheet would read as
a formula (it starts with =, +, -, @, a tab or a carriage return) gets a leading apostrophe,
so it is shown as the text it is (OWASP's advice for CSV injection).
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from typing import IO

from vejud.exports.rows import Cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PROGRESS_EVERY = 20_000

Progress = Callable[[int], None]


def neutralise(value: Cell) -> Cell:
    """``value`` as a cell no spreadsheet runs as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _counted(rows: Iterable[Sequence[Cell]], progress: Progress) -> Iterable[list[Cell]]:
    done = 0
    for row in rows:
        yield [neutralise(value) for value in row]
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress(done)
    progress(done)


def write_csv(
    header: Sequence[str], rows: Iterable[Sequence[Cell]], out: IO[bytes], progress: Progress
) -> None:
    """CSV in UTF-8 with a byte-order mark (so a spreadsheet reads the Danish letters)."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=False)
    writer = csv.writer(text, delimiter=";")
    writer.writerow([neutralise(label) for label in header])
    writer.writerows(_counted(rows, progress))
    text.flush()
    text.detach()


def write_xlsx(
    header: Sequence[str], rows: Iterable[Sequence[Cell]], out: IO[bytes], progress: Progress
) -> None:
    """One sheet, written row by row (openpyxl write-only), then copied into ``out``."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("vejud")
    sheet.append([neutralise(label) for label in header])
    for row in _counted(rows, progress):
        sheet.append(row)
    with tempfile.TemporaryFile() as scratch:
        book.save(scratch)
        scratch.seek(0)
        shutil.copyfileobj(scratch, out, length=1024 * 1024)
