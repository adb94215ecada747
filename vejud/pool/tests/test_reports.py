"""The year-end report as XLSX and PDF: the right totals, exact money, and no case or person."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from vejud.pool.documents import year_report_html
from vejud.pool.models import Category, EntryKind
from vejud.pool.reports import kroner, year_report_xlsx
from vejud.pool.selectors import year_overview
from vejud.pool.services import grant_release, payment_register
from vejud.testing import verified_client
from vejud.testing.pool import (
    KR,
    add_entry,
    make_application,
    make_grant,
    make_pool,
    make_pool_case,
    pay,
)

pytestmark = pytest.mark.django_db


def ore(value) -> int:
    """Return a spreadsheet cell's kroner as øre, exactly (the cell may come back as float)."""
    exact = Decimal(str(value)) * 100
    assert exact == exact.to_integral_value(), value
    return int(exact)


@pytest.fixture
def spent(world):
    """A year with a frame, grants in two units, payments, a release and a pending application."""
    year = make_pool(world, budget_kr=500_000)
    add_entry(
        world,
        year,
        EntryKind.REALLOCATION,
        100_000,
        "Frame for safehouses.",
        to_category=Category.RELOCATION,
    )
    case_a = make_pool_case(world, first_name="Zelda", last_name="Quixwort")
    case_b = make_pool_case(world, unit="b", first_name="Yannick", last_name="Brumbeck")
    safehouse = make_grant(world, case_a, amount_kr=40_000, category=Category.RELOCATION)
    tattoo = make_grant(world, case_b, amount_kr=12_345)
    make_application(world, case_a, amount_kr=7_000)
    today = timezone.localdate()
    payment_register(
        actor=world.head,
        application=safehouse,
        paid_on=today,
        amount_ore=15_000 * KR + 33,
        invoice_reference="F-100",
    )
    pay(world, tattoo, 2_000, invoice="F-101", on=today)
    grant_release(
        actor=world.head, application=tattoo, reason="Fewer sessions.", amount_ore=345 * KR
    )
    year.refresh_from_db()
    return {"year": year, "cases": (case_a, case_b)}


def test_kroner_is_exact_decimal():
    assert kroner(1_234_567) == Decimal("12345.67")
    assert kroner(1) == Decimal("0.01")
    assert kroner(None) is None


def test_xlsx_holds_the_totals_per_category_unit_and_month(world, spent):
    year = spent["year"]
    book = load_workbook(BytesIO(year_report_xlsx(year_overview(year))))
    assert book.sheetnames == ["Year", "Categories", "Units", "Monthly payments"]

    summary = book["Year"]
    assert [c.value for c in summary[1]][:4] == [
        "Year",
        "Budget (DKK)",
        "Committed (DKK)",
        "Paid (DKK)",
    ]
    row = [c.value for c in summary[2]]
    assert row[0] == str(year.year)
    assert [ore(v) for v in row[1:6]] == [
        500_000 * KR,  # budget
        52_000 * KR,  # committed: 40.000 + 12.345 - 345
        17_000 * KR + 33,  # paid
        448_000 * KR,  # available
        7_000 * KR,  # awaiting decision
    ]
    assert row[6] == 3
    assert summary["C2"].number_format == "#,##0.00"

    categories = {r[0]: r for r in book["Categories"].iter_rows(min_row=2, values_only=True)}
    relocation = categories["Temporary relocation / safehouse"]
    assert [ore(v) for v in relocation[1:5]] == [
        100_000 * KR,
        40_000 * KR,
        15_000 * KR + 33,
        60_000 * KR,
    ]
    tattoo = categories["Tattoo removal"]
    assert tattoo[1] is None and tattoo[4] is None  # no frame of its own
    assert [ore(v) for v in tattoo[2:4]] == [12_000 * KR, 2_000 * KR]
    assert ore(tattoo[5]) == 7_000 * KR and tattoo[6] == 2
    total = categories["Total"]
    assert ore(total[2]) == 52_000 * KR and ore(total[3]) == 17_000 * KR + 33

    units = {r[0]: r for r in book["Units"].iter_rows(min_row=2, values_only=True)}
    assert ore(units[world.unit_a.name][2]) == 40_000 * KR
    assert ore(units[world.unit_b.name][2]) == 12_000 * KR
    assert ore(units["Total"][3]) == 17_000 * KR + 33

    months = list(book["Monthly payments"].iter_rows(min_row=2, values_only=True))
    assert len(months) == 13  # twelve months and the total
    this_month = months[timezone.localdate().month - 1]
    assert ore(this_month[1]) == 17_000 * KR + 33
    assert months[-1][0] == "Total" and ore(months[-1][1]) == 17_000 * KR + 33


def test_reports_name_no_case_and_no_person(world, spent):
    year = spent["year"]
    book = load_workbook(BytesIO(year_report_xlsx(year_overview(year))))
    cells = " ".join(
        str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row
    )
    html = year_report_html(year_overview(year))
    for case in spent["cases"]:
        for text in (case.reference, case.person.first_name, case.person.last_name):
            assert text not in cells and text not in html
    assert "PUL-" not in cells and "PUL-" not in html


def test_pdf_download_holds_the_totals(world, spent):
    year = spent["year"]
    response = verified_client(world.analyst).get(
        reverse("pool:report_pdf", kwargs={"year": year.year})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="puljen-aarsrapport-{year.year}.pdf"'
    )
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    for amount in ("500.000,00 kr.", "52.000,00 kr.", "17.000,33 kr.", "448.000,00 kr."):
        assert amount in text
    assert world.unit_a.name in text and world.unit_b.name in text


def test_xlsx_download(world, spent):
    year = spent["year"]
    response = verified_client(world.head).get(
        reverse("pool:report_xlsx", kwargs={"year": year.year})
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        f'attachment; filename="puljen-aarsrapport-{year.year}.xlsx"'
    )
    book = load_workbook(BytesIO(response.content))
    assert ore(book["Year"]["D2"].value) == 17_000 * KR + 33


def test_pdf_loads_nothing_from_outside(world, spent):
    from vejud.core import documents

    with pytest.raises(ValueError, match="disabled"):
        documents.deny_fetch("file:///etc/passwd")
    html = '<html lang="da"><title>x</title><img src="file:///etc/passwd"><p>ok</p></html>'
    assert documents.html_pdf(html).startswith(b"%PDF-")  # the image is refused, not read
