"""An export in Chromium: asked for on the dashboard, followed on its page, downloaded."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from vejud.audit.models import AuditEvent
from vejud.exports.models import Export, ExportStatus
from vejud.testing import World, make_case

pytestmark = pytest.mark.browser


def test_an_export_from_the_dashboard_to_the_download(open_browser: Any, bworld: World) -> None:
    cases = [make_case(bworld.coordinator_a, bworld.unit_a) for _ in range(3)]
    session = open_browser(bworld.coordinator_a, "en", start="/statistik/harmonisering/")
    page = session.page
    page.get_by_role("button", name="Show").click()
    page.get_by_label("Case rows, anonymised (one row per case you may see)").check()
    page.get_by_label("CSV").check()
    page.get_by_role("button", name="Make the export").click()
    expect(page.get_by_text("The export is being made. You can leave this page.")).to_be_visible()
    # The test's worker builds it when the request commits; the page shows it ready.
    expect(page.get_by_text("The export is ready")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download").click()
    download = info.value
    content = Path(download.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[0][:2] == ["Row", "Unit"]
    assert len(rows) == 1 + len(cases)
    for case in cases:
        assert case.reference not in content and case.person.last_name not in content
    export = Export.objects.get()
    assert export.status == ExportStatus.DONE and export.downloads == 1
    assert AuditEvent.objects.filter(action="export.download", actor=bworld.coordinator_a).exists()
    page.get_by_role("link", name="My exports").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My exports")
    expect(page.get_by_role("cell", name="Ready")).to_be_visible()


def test_the_progress_bar_follows_the_worker(open_browser: Any, bworld: World) -> None:
    make_case(bworld.coordinator_a, bworld.unit_a)
    export = Export.objects.create(
        requested_by=bworld.head,
        kind="case_rows",
        format="csv",
        rows_total=200,
        rows_done=50,
        status=ExportStatus.RUNNING,
    )
    session = open_browser(bworld.head, "en", start=f"/eksport/{export.pk}/")
    page = session.page
    bar = page.locator("progress#export-bar")
    expect(bar).to_have_attribute("value", "25")
    Export.objects.filter(pk=export.pk).update(rows_done=150)
    expect(bar).to_have_attribute("value", "75")  # htmx asks again each second
    Export.objects.filter(pk=export.pk).update(status=ExportStatus.FAILED, failure="Stopped.")
    expect(page.get_by_text("The export failed")).to_be_visible()
    expect(page.locator("progress#export-bar")).to_have_count(0)
