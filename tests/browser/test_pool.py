"""Issue 5 in a real browser: a unit applies to the central pool, the national decision-maker
approves partly, the unit sees the decision, and the overview and year-end reports add up.

Each step is taken by the role that owns it, in its own browser (English interface).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from vejud_browser import Session

from vejud.pool.models import Application, ApplicationStatus, Attachment, BudgetYear, Payment
from vejud.testing import World
from vejud.testing.pool import KR, make_pool, make_pool_case

pytestmark = pytest.mark.browser

Open = Callable[..., Session]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def download(page: Page, link_name: str) -> tuple[str, bytes]:
    """Click the link, wait for the download; return its file name and bytes."""
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    path = info.value.path()
    assert path is not None
    with open(path, "rb") as handle:
        return info.value.suggested_filename, handle.read()


def ore(value: object) -> int:
    exact = Decimal(str(value)) * 100
    assert exact == exact.to_integral_value(), value
    return int(exact)


def test_unit_applies_decision_maker_approves_partly_and_the_pool_adds_up(
    bworld: World, open_browser: Open
) -> None:
    year = make_pool(bworld, budget_kr=2_000_000, cap_kr=50_000)
    case = make_pool_case(bworld, first_name="Mikkel", last_name="Dahl")
    ref = case.reference
    this_year = timezone.localdate().year
    today = timezone.localdate().isoformat()

    # The unit applies; the guideline for the chosen category is swapped in by htmx.
    unit = open_browser(bworld.member_a, "en", start=f"/sager/{ref}/")
    page = unit.page
    page.get_by_role("region", name="What can be done now").get_by_role(
        "link", name="Apply for a grant"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply for a grant")
    page.get_by_label("Category").select_option("tattoo_removal")
    panel = page.locator("#guideline-panel")
    expect(panel).to_contain_text("Guideline for Tattoo removal.")
    expect(panel).to_contain_text("50.000,00 kr.")
    page.get_by_label("Amount applied for").fill("12.000")
    page.get_by_label("Purpose").fill("Laser removal of the gang's tattoo on the neck.")
    page.get_by_label("Supplier").fill("Klinik for Tatoveringsfjernelse ApS")
    page.get_by_label("Period from").fill(today)
    page.get_by_label("Period to").fill(today)
    page.get_by_role("button", name="Send the application").click()
    application = Application.objects.get(case=case)
    expect(page).to_have_url(unit.url(f"/sager/{ref}/puljen/{application.pk}/"))
    expect(
        page.get_by_text("The application is sent to the National Exit Contact Point")
    ).to_be_visible()
    assert application.amount_ore == 12_000 * KR
    page.get_by_label("Kind of document").select_option("quote")
    page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "tilbud.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="Attach", exact=True).click()
    expect(page.get_by_role("link", name="tilbud.pdf")).to_be_visible()
    assert Attachment.objects.filter(application=application).count() == 1

    # The decision-maker finds it on the task list and approves part of it.
    decider = open_browser(bworld.decision_maker, "en", start="/opgaver/")
    dpage = decider.page
    row = dpage.get_by_role("row").filter(has_text="Grant application awaiting decision")
    row.get_by_role("link", name=ref).click()
    expect(dpage).to_have_url(decider.url(f"/sager/{ref}/puljen/{application.pk}/"))
    expect(dpage.locator("#decision-budget")).to_contain_text("2.000.000,00 kr.")
    dpage.get_by_label("Approve partly").check(force=True)
    dpage.get_by_label("Approved amount").fill("8.000,50")
    dpage.get_by_label("Reason or question").fill("One session fewer than the quote is enough.")
    dpage.get_by_role("button", name="Record the decision").click()
    expect(dpage.get_by_text("The decision is recorded.")).to_be_visible()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PARTLY_APPROVED
    assert application.approved_ore == 800_050

    # The unit sees the decision, its letter, and the budget left.
    page.reload()
    decision = page.locator("#decision")
    expect(decision).to_contain_text("Partly approved")
    expect(decision).to_contain_text("8.000,50 kr.")
    expect(decision).to_contain_text("One session fewer than the quote is enough.")
    name, letter = download(page, "Decision letter (PDF)")
    assert name == f"{ref}-{application.reference}-afgoerelse.pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(letter)).pages)
    assert "8.000,50 kr." in text and "imødekommet delvist" in text
    page.get_by_role("link", name="Grant applications").click()
    expect(page.locator("#year-available")).to_contain_text("1.991.999,50 kr.")

    # The invoice is paid against the grant.
    dpage.reload()
    dpage.get_by_label("Amount paid").fill("3.000,25")
    dpage.get_by_label("Invoice reference").fill("F-2024-117")
    dpage.get_by_role("button", name="Register the payment").click()
    expect(dpage.locator("#payment-facts")).to_contain_text("5.000,25 kr.")  # left to pay
    assert Payment.objects.get().amount_ore == 300_025

    # The overview shows the new figures; both year-end reports hold the same totals.
    dpage.get_by_role("link", name="Central pool").click()
    total = dpage.locator("#pool-total")
    expect(total.locator('[data-figure="committed"]')).to_have_text("8.000,50 kr.")
    expect(total.locator('[data-figure="paid"]')).to_have_text("3.000,25 kr.")
    expect(total.locator('[data-figure="available"]')).to_have_text("1.991.999,50 kr.")
    expect(dpage.locator("#pool-units")).to_contain_text(bworld.unit_a.name)
    expect(dpage.locator("#pool-cases")).to_contain_text(ref)
    chart = dpage.locator("figure.vejud-chart img")
    expect(chart).to_have_attribute("src", f"/puljen/{this_year}/forbrug.svg")
    # The SVG loads under the page's policy (an <img> that failed has no natural width).
    dpage.wait_for_function(
        "() => { const img = document.querySelector('figure.vejud-chart img');"
        " return img.complete && img.naturalWidth > 0; }"
    )

    name, data = download(dpage, "Year-end report (XLSX)")
    assert name == f"puljen-aarsrapport-{this_year}.xlsx"
    book = load_workbook(io.BytesIO(data))
    summary = [c.value for c in book["Year"][2]]
    assert [ore(v) for v in summary[1:5]] == [2_000_000 * KR, 800_050, 300_025, 199_199_950]
    categories = {r[0]: r for r in book["Categories"].iter_rows(min_row=2, values_only=True)}
    assert ore(categories["Tattoo removal"][2]) == 800_050
    units = {r[0]: r for r in book["Units"].iter_rows(min_row=2, values_only=True)}
    assert ore(units[bworld.unit_a.name][3]) == 300_025
    months = list(book["Monthly payments"].iter_rows(min_row=2, values_only=True))
    assert ore(months[timezone.localdate().month - 1][1]) == 300_025
    assert ref not in " ".join(
        str(v) for s in book for r in s.iter_rows(values_only=True) for v in r
    )

    name, data = download(dpage, "Year-end report (PDF)")
    assert name == f"puljen-aarsrapport-{this_year}.pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    for amount in ("2.000.000,00 kr.", "8.000,50 kr.", "3.000,25 kr.", "1.991.999,50 kr."):
        assert amount in text
    assert ref not in text and "Dahl" not in text
    assert re.search(rf"Central pool – year-end report {this_year}", text)

    stored = BudgetYear.objects.get(pk=year.pk)
    assert (stored.committed_ore, stored.paid_ore) == (800_050, 300_025)
