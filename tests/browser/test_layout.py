"""The layout on DKFDS 11 at 1280 px, 200 % zoom (640 CSS px), 375 px and 320 px.

The main menu is reachable at every width (the desktop menu from 992 px, the mobile menu
below), the current page is marked, the page never scrolls sideways (tables scroll in their
own region), and htmx swaps neither add menus nor lose the keyboard focus.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect
from vejud_browser import Session

from vejud.testing import World, make_case

pytestmark = pytest.mark.browser

WIDTHS = (1280, 640, 375, 320)


def _no_sideways_scroll(session: Session, width: int) -> None:
    scroll = session.page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, (session.page.url, width, scroll)


def _focus_settles_in_content(session: Session) -> bool:
    """Wait (up to 2 s) until the swap has settled and the focus is in the swapped content.

    Polled from here: the page's CSP forbids the string evaluation wait_for_function uses."""
    for _ in range(40):
        if session.page.evaluate(
            "() => document.activeElement !== document.body"
            " && !!document.activeElement.closest('section, form, [role=status]')"
        ):
            return True
        session.page.wait_for_timeout(50)
    return False


def test_the_main_menu_is_reachable_at_every_width(
    bworld: World, open_browser: Callable[..., Session]
) -> None:
    for n in range(3):
        make_case(bworld.member_a, bworld.unit_a, first_name=f"Layout{n}", last_name="Test")
    session = open_browser(bworld.member_a, language="da")
    page, t = session.page, session.t
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(session.url("/sager/"))
        _no_sideways_scroll(session, width)
        if width >= 992:
            menu = page.get_by_role("navigation", name=t("Main navigation"))
            expect(page.get_by_role("button", name=t("Menu"))).to_be_hidden()
        else:
            expect(page.get_by_role("navigation", name=t("Main navigation"))).to_be_hidden()
            page.get_by_role("button", name=t("Menu")).click()
            menu = page.get_by_role("dialog").get_by_role("navigation")
        current = menu.get_by_role("link", name=t("Caseload"))
        expect(current).to_have_attribute("aria-current", "page")
        menu.get_by_role("link", name=t("Tasks")).click()
        expect(page).to_have_url(session.url("/opgaver/"))
        expect(page.get_by_role("dialog")).to_be_hidden()
        _no_sideways_scroll(session, width)


def test_htmx_swaps_add_no_menu_and_keep_the_focus(
    bworld: World, open_browser: Callable[..., Session]
) -> None:
    case = make_case(bworld.member_a, bworld.unit_a, first_name="Swap", last_name="Test")
    session = open_browser(bworld.member_a, language="da", start=f"/sager/{case.reference}/")
    page, t = session.page, session.t
    journal = page.get_by_role("region", name=t("Journal"), exact=True)
    for n in range(10):
        journal.get_by_label(t("New note")).fill(f"Note number {n}.")
        journal.get_by_role("button", name=t("Add note")).click()
        journal = page.get_by_role("region", name=t("Journal"), exact=True)
        expect(journal.get_by_role("listitem").filter(has_text=f"Note number {n}.")).to_have_count(
            1
        )
        # The focus stays in the journal (not on the skip link or the page's start).
        assert _focus_settles_in_content(session), n
    assert page.locator(".more-button").count() <= 1
    assert page.locator("#fds-more-menu").count() <= 1
    page.keyboard.press("Tab")
    assert page.evaluate("!document.activeElement.classList.contains('skipnav')")


def test_content_that_loads_itself_takes_neither_the_focus_nor_the_scroll(
    bworld: World, open_browser: Callable[..., Session]
) -> None:
    """The case page's task panel loads itself after the page (htmx, ``load``). Its swap used
    to move the focus to the panel and scroll the page down to it, past the person and the
    case, for every user opening a case. Only a swap the user asked for moves the focus."""
    case = make_case(bworld.member_a, bworld.unit_a, first_name="Fokus", last_name="Test")
    session = open_browser(bworld.member_a, language="da", start=f"/sager/{case.reference}/")
    page, t = session.page, session.t
    page.set_viewport_size({"width": 375, "height": 700})
    page.goto(session.url(f"/sager/{case.reference}/"))
    panel = page.locator("#case-tasks")
    # loaded: the link shown before (and without) htmx is replaced by the tasks
    expect(panel.get_by_role("link", name=t("Show your tasks on the case"))).to_have_count(0)
    page.wait_for_timeout(300)  # the swap has settled (the focus moved at settling)
    assert page.evaluate("window.scrollY") == 0
    assert page.evaluate("document.activeElement === document.body")
    # A swap the user asks for still brings the focus to what it changed.
    journal = page.get_by_role("region", name=t("Journal"), exact=True)
    journal.get_by_label(t("New note")).fill("A note of the user's own.")
    journal.get_by_role("button", name=t("Add note")).click()
    assert _focus_settles_in_content(session)
