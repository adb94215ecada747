"""The pool's year-end report as a spreadsheet (openpyxl): per category, per unit, per month.

Aggregates only: no case reference and no person appear, so analysts may download it.
Money is kept exact: a cell holds ``Decimal(øre) / 100`` (exact for whole øre) shown with
two decimals, never a float computed from the amount.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from vejud.core.exports import safe_row
from vejud.pool.models import BudgetYear
from vejud.pool.selectors import Figures, YearOverview

MONEY_FORMAT = "#,##0.00"
BOLD = Font(bold=True)


def kroner(ore: int | None) -> Decimal | None:
    """Return øre as exact kroner for a cell (None stays empty)."""
    return None if ore is None else Decimal(int(ore)) / 100


def _money_headers() -> list[str]:
    return [
        _("Budget (DKK)"),
        _("Committed (DKK)"),
        _("Paid (DKK)"),
        _("Available (DKK)"),
        _("Awaiting decision (DKK)"),
        _("Applications"),
    ]


def _figures_row(label: str, figures: Figures) -> list[Any]:
    return [
        label,
        kroner(figures.budget_ore),
        kroner(figures.committed_ore),
        kroner(figures.paid_ore),
        kroner(figures.available_ore),
        kroner(figures.pending_ore),
        figures.applications,
    ]


def _append(sheet: Worksheet, row: list[Any]) -> None:
    """Append a row, every text cell neutralised against formulas (a unit named "=...")."""
    sheet.append(safe_row(row))


def _sheet(sheet: Worksheet, headers: list[str], rows: list[list[Any]], total: list[Any]) -> None:
    _append(sheet, headers)
    for cell in sheet[1]:
        cell.font = BOLD
    for row in rows:
        _append(sheet, row)
    if total:
        _append(sheet, total)
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, Decimal):
                cell.number_format = MONEY_FORMAT
    for index, header in enumerate(headers, start=1):
        width = max([len(str(header)), *(len(str(r[index - 1] or "")) for r in rows)]) + 2
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 12), 50)
    sheet.freeze_panes = "A2"


def _summed(figures: list[Figures]) -> Figures:
    return Figures(
        budget_ore=None,
        committed_ore=sum(f.committed_ore for f in figures),
        paid_ore=sum(f.paid_ore for f in figures),
        pending_ore=sum(f.pending_ore for f in figures),
        applications=sum(f.applications for f in figures),
    )


def year_report_xlsx(overview: YearOverview) -> bytes:
    """Return the year-end report of ``overview`` as XLSX bytes."""
    year = overview.year.year
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = _("Year")
    _sheet(
        summary,
        [_("Year"), *_money_headers()],
        [_figures_row(str(year), overview.total)],
        [],
    )
    summary.append([])
    _append(summary, [_("Printed"), date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")])

    categories = book.create_sheet(_("Categories"))
    _sheet(
        categories,
        [_("Category"), *_money_headers()],
        [_figures_row(label, figures) for _value, label, figures in overview.categories],
        _figures_row(_("Total"), overview.total),
    )

    units = book.create_sheet(_("Units"))
    unit_figures = [figures for _name, figures in overview.units]
    _sheet(
        units,
        [_("Applying unit"), *_money_headers()],
        [_figures_row(str(name), figures) for name, figures in overview.units],
        _figures_row(_("Total"), _summed(unit_figures)),
    )

    paid = {month.month: ore for month, ore in overview.months if month.year == year}
    months = book.create_sheet(_("Monthly payments"))
    _sheet(
        months,
        [_("Month"), _("Paid (DKK)")],
        [[date_format(date(year, m, 1), "F Y"), kroner(paid.get(m, 0))] for m in range(1, 13)],
        [_("Total"), kroner(sum(paid.values()))],
    )

    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def year_report_filename_xlsx(year: BudgetYear) -> str:
    return f"puljen-aarsrapport-{year.year}.xlsx"
