"""The public front door in Chromium: the start page and the inquiry form with JavaScript
switched off, the neutral receipt, and axe-core (WCAG 2.1 A/AA) with 0 violations on every
public page, the form with its errors included."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from vejud.frontdoor.models import PublicInquiry
from vejud.organisations.models import Municipality
from vejud.testing import World

pytestmark = pytest.mark.browser

AXE = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                          resultTypes: ["violations"]});
  return results.violations.map((v) => ({id: v.id, help: v.help,
    nodes: v.nodes.map((n) => n.target.join(" "))}));
}"""
SECRET = "Zebulon wants out of the Bandidos"


def _axe(page: Page, label: str, found: list[str]) -> None:
    for violation in page.evaluate(RUN_AXE, TAGS):
        found.append(f"{label}: {violation['id']} ({violation['help']}) {violation['nodes']}")


@pytest.fixture
def fast_form(settings: Any) -> None:
    settings.VEJUD_PUBLIC_FORM_MIN_SECONDS = 0


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_a_person_asks_for_help_and_gets_a_neutral_receipt(
    chromium: Browser,
    live_server: Any,
    bworld: World,
    municipality_a: Municipality,
    fast_form: None,
    javascript: bool,
) -> None:
    context = chromium.new_context(locale="da-DK", java_script_enabled=javascript)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    found: list[str] = []
    try:
        page.goto(live_server.url + "/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Vil du ud af en bande?")
        if javascript:
            _axe(page, "start", found)
        page.get_by_role("link", name="Bed om at blive kontaktet").first.click()
        expect(page).to_have_url(re.compile("/kontakt/$"))
        if javascript:
            _axe(page, "form", found)
        page.get_by_role("button", name="Send").click()  # nothing filled in: errors
        expect(page.locator(".form-error-message").first).to_be_visible()
        if javascript:
            _axe(page, "form with errors", found)
        page.get_by_label("Jeg vil selv ud af en bande").check()
        page.get_by_label("Hvad skal vi kalde dig (eller den, du skriver om)?").fill("Zeb")
        page.get_by_label("Et telefonnummer, hvor det er sikkert at ringe").fill("20 30 40 50")
        page.get_by_label("Nej", exact=True).check()
        page.get_by_label("På fri fod, i en kommune").check()
        page.get_by_label("Kommune", exact=True).select_option(label=municipality_a.name)
        page.get_by_label("Er der andet, du vil fortælle os? (frivilligt)").fill(SECRET)
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Tak")
        inquiry = PublicInquiry.objects.get()
        assert inquiry.unit == bworld.unit_a and inquiry.message == SECRET
        body = page.content()
        assert inquiry.code in body
        for text in (SECRET, "Zeb", "20 30 40 50", bworld.unit_a.name, municipality_a.name):
            assert text not in body
            assert text not in page.url
        if javascript:
            _axe(page, "receipt", found)
        page.reload()  # the code is shown once
        assert inquiry.code not in page.content()
    finally:
        context.close()
    assert found == []


def test_from_the_public_page_to_the_unit_s_new_inquiry(
    chromium: Browser,
    open_browser: Any,
    live_server: Any,
    bworld: World,
    municipality_a: Municipality,
    fast_form: None,
) -> None:
    """A relative asks on the public page; unit A finds it on its task list and registers it."""
    public = chromium.new_context(locale="en-GB")
    page = public.new_page()
    try:
        page.goto(live_server.url + "/kontakt/")
        page.get_by_role("button", name="English").click()
        page.get_by_label("I am a relative or friend").check()
        page.get_by_label("What should we call you (or the person you write about)?").fill("Kim")
        page.get_by_label("A phone number where it is safe to call").fill("20 30 40 50")
        page.get_by_label("No", exact=True).check()
        page.get_by_label("At liberty, in a municipality").check()
        page.get_by_label("Municipality", exact=True).select_option(label=municipality_a.name)
        page.get_by_label("Anything you want to tell us (optional)").fill("My brother wants out.")
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    finally:
        public.close()
    sent = PublicInquiry.objects.get()
    session = open_browser(bworld.member_a, "en", start="/opgaver/")
    page = session.page
    page.get_by_role("link", name=sent.code).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(sent.code)
    expect(page.get_by_text("My brother wants out.")).to_be_visible()
    page.get_by_role("link", name="Register as an inquiry on a person").click()
    expect(page.get_by_label("First name")).to_have_value("Kim")
    page.get_by_label("Last name").fill("Jensen")
    page.get_by_label("Date of birth").fill("1998-04-03")
    page.get_by_role("button", name="Register the inquiry").click()
    expect(page.get_by_text(re.compile(r"The inquiry is registered as EX-"))).to_be_visible()
    sent.refresh_from_db()
    assert sent.case is not None and sent.case.responsible_unit == bworld.unit_a
    assert sent.case.inquiry.source == "public_form"
    assert sent.message == ""
