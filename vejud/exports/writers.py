"""Rows into a file, in constant memory: CSV straight into the encrypted chunks, XLSX through
openpyxl's write-only workbook (rows go to a temporary file as they come).

Every text cell is neutralised against formula injection (``rows.neutralise``): a cell a spreadsheet would read as
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

from vejud.exports.rows import Cell, Rows, neutralise

PROGRESS_EVERY = 20_000

Progress = Callable[[int], None]


def _counted(rows: Rows, progress: Progress) -> Iterable[Sequence[Cell]]:
    """The rows, each text cell neutralised (unless the source did it), with the progress
    written every PROGRESS_EVERY rows and at the end."""
    done = 0
    for row in rows.rows:
        yield row if rows.neutral else [neutralise(value) for value in row]
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress(done)
    progress(done)


def write_csv(rows: Rows, out: IO[bytes], progress: Progress) -> None:
    """CSV in UTF-8 with a byte-order mark (so a spreadsheet reads the Danish letters)."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=False)
    writer = csv.writer(text, delimiter=";")
    writer.writerow([neutralise(label) for label in rows.header])
    writer.writerows(_counted(rows, progress))
    text.flush()
    text.detach()


def write_xlsx(rows: Rows, out: IO[bytes], progress: Progress) -> None:
    """One sheet, written row by row (openpyxl write-only), then copied into ``out``."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("vejud")
    sheet.append([neutralise(label) for label in rows.header])
    for row in _counted(rows, progress):
        sheet.append(row)
    with tempfile.TemporaryFile() as scratch:
        book.save(scratch)
        scratch.seek(0)
        shutil.copyfileobj(scratch, out, length=1024 * 1024)
