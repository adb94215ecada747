"""Every main page at 1280 px, 200 % zoom (640 CSS px), 375 px and 320 px (issue 14): the main
menu is reachable (the desktop menu from 992 px, the "Menu" button below it) and the page never
scrolls sideways (wide tables scroll in their own region). The pages are those the axe walk
visits: each role's main menu and the pages it reaches from it, with the same data."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect
from test_axe import _data, _menu, _pages
from vejud_browser import Session

from vejud.core.tests.test_template_classes import HOOKS, _defined
from vejud.testing import World

pytestmark = pytest.mark.browser

WIDTHS = (1280, 640, 375, 320)
# One role of each kind of work (the others see subsets of the same pages).
ROLES = ("member_a", "coordinator_a", "head", "custody", "mentor", "analyst", "auditor")


def test_every_main_page_fits_and_has_its_menu_at_every_width(
    bworld: World, open_browser: Callable[..., Session]
) -> None:
    pages = _pages(_data(bworld))
    wide: list[str] = []
    # Every class on a rendered page (templates, widgets, DKFDS's and htmx's scripts) is
    # one the installed DKFDS or app.css defines, a DKFDS component's structural class, or
    # a hook; htmx's own state classes (htmx-request, htmx-settling…) style nothing by design.
    defined = _defined()
    undefined: dict[str, set[str]] = {}
    seen: set[str] = set()
    checked = 0
    for role in ROLES:
        session = open_browser(bworld.users[role], language="da", start="/konto/profil/")
        page, t = session.page, session.t
        paths = list(dict.fromkeys([*_menu(session), *pages[role]]))
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            for path in paths:
                response = page.goto(session.url(path))
                assert response is not None and response.status == 200, (role, path)
                checked += 1
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > width:
                    wide.append(f"{role} {path} at {width} px: {scroll} px wide")
                if width in (1280, 375):
                    names = page.evaluate(
                        "[...new Set([...document.querySelectorAll('[class]')]"
                        ".flatMap(e => [...e.classList]))]"
                    )
                    seen.update(names)
                    for name in names:
                        if name not in defined and not name.startswith((*HOOKS, "htmx-")):
                            undefined.setdefault(name, set()).add(path)
                if width >= 992:
                    expect(
                        page.get_by_role("navigation", name=t("Main navigation"))
                    ).to_be_visible()
                else:
                    expect(page.get_by_role("button", name=t("Menu"))).to_be_visible()
    assert checked > 100
    assert not wide, "\n".join(wide)
    assert {"header", "navigation-menu", "button", "table", "breadcrumbs"} <= seen
    assert undefined == {}


def test_the_printed_case_page_has_no_buttons_forms_or_menu(
    bworld: World, open_browser: Callable[..., Session]
) -> None:
    data = _data(bworld)
    session = open_browser(bworld.member_a, language="da", start=f"/sager/{data['case']}/")
    page = session.page
    assert page.locator("main form").count() > 0  # on screen there are forms and buttons
    page.emulate_media(media="print")
    visible = page.evaluate(
        """() => [...document.querySelectorAll(
                'main form, main button, main .button, header.header, footer.footer, .skipnav'
            )].filter((e) => e.getClientRects().length > 0).map((e) => e.outerHTML.slice(0, 80))"""
    )
    assert visible == []
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.locator("main").inner_text().strip()


@pytest.mark.parametrize("width", [1280, 375])
def test_the_case_page_areas_are_reached_by_its_in_page_navigation(
    bworld: World, open_browser: Callable[..., Session], width: int
) -> None:
    data = _data(bworld)
    session = open_browser(bworld.member_a, language="da", start=f"/sager/{data['case']}/")
    page = session.page
    page.set_viewport_size({"width": width, "height": 800})
    # The user's tasks on the case arrive by htmx after the page: wait for them, as a reader
    # would, before following the links (the text above the areas is then final).
    expect(page.locator("#case-tasks a[href*='/opgaver/sag/']")).to_have_count(0)
    nav = page.get_by_role("navigation", name=session.t("On this page"))
    links = nav.get_by_role("link")
    hrefs = links.evaluate_all("links => links.map((a) => a.getAttribute('href'))")
    # The process, the course, follow-up, transfers, grants, ..., the journal.
    assert {"#process", "#course", "#followup", "#transfers", "#journal"} <= set(hrefs)
    for href in hrefs:
        nav.locator(f'a[href="{href}"]').click()
        expect(page).to_have_url(session.url(f"/sager/{data['case']}/{href}"))
        target = page.locator(href)
        expect(target).to_be_in_viewport()
        page.evaluate("window.scrollTo(0, 0)")
    # The stages of the exit process say which is done, current and later, visibly.
    stages = page.locator("ol.step-indicator")
    expect(stages.locator("li.current")).to_have_count(1)
    expect(stages).to_contain_text(session.t("Done"))


def test_what_can_be_done_now_leads_to_the_action(
    bworld: World, open_browser: Callable[..., Session]
) -> None:
    data = _data(bworld)
    session = open_browser(bworld.member_a, language="en", start=f"/sager/{data['case']}/")
    page = session.page
    steps = page.get_by_role("region", name="What can be done now")
    steps.get_by_role("link", name="Record a review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("review")
