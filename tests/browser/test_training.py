"""Issue 16 in a real browser: a staff member finds a session in the training catalogue,
registers, takes the .ics file; the teacher checks them in on each day; the staff member sees
the course completed in "My training" and downloads the certificate. A Danish pass checks the
pages read in Danish."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from vejud_browser import Session

from vejud.testing import World
from vejud.testing.training import make_course, make_session
from vejud.training.models import Registration, RegistrationStatus

pytestmark = pytest.mark.browser

Open = Callable[..., Session]


def download(page: Page, link_name: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).first.click()
    path = info.value.path()
    assert path is not None
    with open(path, "rb") as handle:
        return info.value.suggested_filename, handle.read()


def test_from_the_catalogue_to_the_certificate(bworld: World, open_browser: Open) -> None:
    course = make_course(bworld, title="Basic exit course", validity_months=36)
    # Begun yesterday, its second day today: a day is checked in on the day, not before.
    began = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=25)
    session = make_session(
        bworld,
        course,
        capacity=10,
        days=2,
        start=began,
        deadline=timezone.now() + timedelta(hours=1),
        teachers=[bworld.member_b],
    )

    staff = open_browser(bworld.member_a, "en", start="/uddannelse/")
    page = staff.page
    expect(page.get_by_role("heading", level=1)).to_have_text("Training and theme days")
    # In the main menu (or its "More" list, where the menu runs out of room).
    expect(page.locator("nav.nav a[href='/uddannelse/']").first).to_be_attached()
    page.locator(f"a[href='/uddannelse/hold/{session.pk}/']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Basic exit course")
    expect(page.get_by_text("You are not registered.")).to_be_visible()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("Member A is registered.")).to_be_visible()
    expect(page.locator("#my-status")).to_contain_text("Registered")
    name, ics = download(page, "Add to calendar (.ics)")
    assert name.endswith(".ics")
    assert ics.decode().count("BEGIN:VEVENT") == 2 and b"SUMMARY:Basic exit course" in ics

    # The teacher checks the participant in on both days.
    teacher = open_browser(bworld.member_b, "en", start=f"/uddannelse/hold/{session.pk}/")
    tpage = teacher.page
    tpage.get_by_role("link", name="Attendance list").click()
    expect(tpage.get_by_role("heading", level=1)).to_contain_text("Attendance list")
    for _day in range(2):
        tpage.get_by_role("button", name="Check in Member A").first.click()
        expect(tpage.get_by_text("Member A is checked in.")).to_be_visible()
    expect(tpage.get_by_role("button", name="Check in Member A")).to_have_count(0)
    registration = Registration.objects.get(user=bworld.member_a, session=session)
    assert registration.status == RegistrationStatus.COMPLETED

    # The staff member sees it completed and takes the certificate.
    page.goto(staff.url("/uddannelse/mine/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My training")
    expect(page.locator("#my-registrations")).to_contain_text("Completed")
    expect(page.locator("#completions")).to_contain_text("Basic exit course")
    name, pdf = download(page, "Certificate (PDF)")
    assert name.endswith(".pdf") and pdf.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Member A" in text and "Basic exit course" in text


def test_the_training_pages_read_in_danish(bworld: World, open_browser: Open) -> None:
    course = make_course(bworld, title="Grundkursus")
    make_session(bworld, course, capacity=1)
    coordinator = open_browser(bworld.coordinator_a, "da", start="/uddannelse/")
    page = coordinator.page
    expect(page.get_by_role("heading", level=1)).to_have_text("Uddannelse og temadage")
    page.get_by_role("link", name="Uddannelsesdækning").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uddannelsesdækning")
    expect(page.get_by_text("Pr. myndighed").first).to_be_visible()
