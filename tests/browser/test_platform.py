"""Issue 2 in a real browser: sign-in with TOTP, caseload, case page, 404, break the glass."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Locator, expect
from vejud_browser import LOGIN_PROVIDER_LABEL, Problems, Session

from vejud.audit.models import AccessLog
from vejud.cases.models import BreakGlassGrant, JournalEntry
from vejud.testing import PASSWORD, World, make_case

pytestmark = pytest.mark.browser


def focus_is_visible(locator: Locator) -> bool:
    """Return True if the focused element draws an outline or a box shadow."""
    return bool(
        locator.evaluate(
            """el => {
                const s = getComputedStyle(el);
                const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
                return outline || (s.boxShadow && s.boxShadow !== "none");
            }"""
        )
    )


def test_login_with_password_and_totp_refuses_a_wrong_code(
    bworld: World, open_browser: Callable[..., Session]
) -> None:
    session = open_browser(bworld.member_a, language="da", login=False)
    page, t = session.page, session.t
    with page.expect_response(re.compile(r"/static/dkfds/css/dkfds\.min\.css")) as css:
        page.goto(session.url("/sager/"))
    assert css.value.status == 200
    # Deny by default: the caseload sends an anonymous visitor to the login page.
    expect(page).to_have_url(re.compile(r"/konto/log-ind/\?next=/sager/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Sign in"))
    # The design system's stylesheet is applied, not just fetched.
    assert "IBM Plex Sans" in page.evaluate("getComputedStyle(document.body).fontFamily")

    if session.password_login():
        page.get_by_label(t("E-mail address")).fill(bworld.member_a.email)
        page.get_by_label(t("Password"), exact=True).fill("not the password at all")
        page.get_by_role("button", name=t("Continue")).click()
        expect(page.get_by_role("alert")).to_contain_text(
            t("The e-mail address or the password is wrong.")
        )
        page.get_by_label(t("Password"), exact=True).fill(PASSWORD)
        page.get_by_role("button", name=t("Continue")).click()
    else:  # VEJUD_PASSWORD_LOGIN=0: the organisation's login, then vejud's own TOTP step
        session.provider_sign_in()
    expect(page).to_have_url(re.compile(r"/konto/to-faktor/"))
    code = page.get_by_label(t("Code"), exact=True)
    right = session.code()
    code.fill(right[:-1] + str((int(right[-1]) + 1) % 10))  # one digit off
    page.get_by_role("button", name=t("Sign in"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/konto/to-faktor/"))
    expect(page.get_by_role("alert")).to_contain_text(t("The code is wrong or has expired."))
    expect(code).to_have_accessible_description(
        re.compile(re.escape(t("The code is wrong or has expired.")))
    )
    # Still not signed in: the caseload sends us back to the second factor.
    page.goto(session.url("/sager/"))
    expect(page).to_have_url(re.compile(r"/konto/to-faktor/"))

    time.sleep(1.1)  # django-otp throttles the device for a second after a wrong code
    page.get_by_label(t("Code"), exact=True).fill(session.code())
    page.get_by_role("button", name=t("Sign in"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/sager/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Caseload"))
    expect(page.locator("html")).to_have_attribute("lang", "da")


def test_login_form_works_with_the_keyboard_alone_and_focus_is_visible(
    bworld: World, open_browser: Callable[..., Session]
) -> None:
    session = open_browser(bworld.member_a, language="en", login=False)
    page, t = session.page, session.t
    page.goto(session.url("/konto/log-ind/"))
    email = page.get_by_label(t("E-mail address"))
    expect(email).to_be_focused()  # autofocus: typing can start at once
    assert focus_is_visible(email)
    if session.password_login():
        page.keyboard.type(bworld.member_a.email)
        page.keyboard.press("Tab")
        password = page.get_by_label(t("Password"), exact=True)
        expect(password).to_be_focused()
        assert focus_is_visible(password)
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Tab")
        button = page.get_by_role("button", name=t("Continue"))
        expect(button).to_be_focused()
        assert focus_is_visible(button)
        page.keyboard.press("Enter")
    else:  # VEJUD_PASSWORD_LOGIN=0: back to the provider's button, Enter, its own form
        sub = session.provider_account()
        page.keyboard.press("Shift+Tab")
        button = page.get_by_role("link", name=re.compile(re.escape(LOGIN_PROVIDER_LABEL)))
        expect(button).to_be_focused()
        assert focus_is_visible(button)
        page.keyboard.press("Enter")
        session.provider_form(sub)

    expect(page).to_have_url(re.compile(r"/konto/to-faktor/"))
    code = page.get_by_label(t("Code"), exact=True)
    expect(code).to_be_focused()
    assert focus_is_visible(code)
    page.keyboard.type(session.code())
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/sager/$"))

    # The first Tab on a page reaches the skip link, which shows itself and its focus.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name=t("Skip to content"))
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert focus_is_visible(skip)


def test_caseload_hides_names_until_asked_and_the_case_page_takes_a_note(
    bworld: World, open_browser: Callable[..., Session]
) -> None:
    own = [
        make_case(bworld.coordinator_a, bworld.unit_a, first_name="Anna", last_name="Alfasen"),
        make_case(bworld.coordinator_a, bworld.unit_a, first_name="Aksel", last_name="Andersen"),
    ]
    other = make_case(bworld.coordinator_b, bworld.unit_b, first_name="Bent", last_name="Betasen")
    session = open_browser(bworld.member_a, language="en")
    page, t = session.page, session.t

    # The caseload: unit A's references, not unit B's; names hidden until asked for.
    table = page.get_by_role("table", name=t("Cases"))
    for case in own:
        expect(table.get_by_role("link", name=case.reference)).to_be_visible()
    expect(page.get_by_text(other.reference)).to_have_count(0)
    expect(table.get_by_text(t("Hidden"), exact=True)).to_have_count(2)
    for name in ("Anna Alfasen", "Aksel Andersen", "Bent Betasen"):
        expect(page.get_by_text(name)).to_have_count(0)

    page.get_by_role("button", name=t("Show names (logged)")).click()
    expect(
        page.get_by_role("status").filter(has_text=t("Names shown. The view is logged."))
    ).to_be_visible()
    anna_row = table.get_by_role("row").filter(has=page.get_by_role("link", name=own[0].reference))
    expect(anna_row).to_contain_text("Anna Alfasen")
    expect(table).to_contain_text("Aksel Andersen")
    expect(page.get_by_text("Bent Betasen")).to_have_count(0)
    expect(table.get_by_text(t("Hidden"), exact=True)).to_have_count(0)
    logged = AccessLog.objects.filter(user=bworld.member_a, part="identity")
    assert set(logged.values_list("case_id", flat=True)) == {case.pk for case in own}

    # The case page: person header and journal; a note is added through the form.
    case = own[0]
    page.get_by_role("link", name=case.reference).click()
    expect(page).to_have_url(session.url(f"/sager/{case.reference}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Case %(reference)s") % {"reference": case.reference}
    )
    person = page.get_by_role("region", name=t("Person"), exact=True)
    expect(person).to_contain_text("Anna Alfasen")
    expect(person).to_contain_text(t("Date of birth"))
    journal = page.get_by_role("region", name=t("Journal"), exact=True)
    expect(journal.get_by_role("heading", name=t("Journal"))).to_be_visible()

    text = "Met Anna at the job centre; she wants to start an education."
    journal.get_by_label(t("New note")).fill(text)
    journal.get_by_role("button", name=t("Add note")).click()
    journal = page.get_by_role("region", name=t("Journal"), exact=True)
    expect(journal.get_by_role("status")).to_contain_text(t("The note was added."))
    expect(journal.get_by_role("listitem").filter(has_text=text)).to_contain_text(
        bworld.member_a.full_name
    )
    expect(journal.get_by_label(t("New note"))).to_have_value("")
    entry = JournalEntry.objects.get(case=case)
    assert (entry.author_id, entry.text) == (bworld.member_a.pk, text)
    # The note is there after a reload too (not just swapped in by htmx).
    page.reload()
    expect(page.get_by_role("region", name=t("Journal"), exact=True)).to_contain_text(text)


def test_other_units_case_is_not_found_until_the_glass_is_broken_and_reviewed(
    bworld: World, open_browser: Callable[..., Session]
) -> None:
    case = make_case(bworld.coordinator_a, bworld.unit_a, first_name="Anna", last_name="Alfasen")
    member = open_browser(bworld.member_b, language="en")
    page, t = member.page, member.t

    # "Not yours" and "does not exist" get the same 404 page; so do the case's sub-pages.
    for path in ("EX-2001-99999/", f"{case.reference}/journal/", f"{case.reference}/"):
        response = page.goto(member.url(f"/sager/{path}"))
        assert response is not None and response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text(t("Page not found"))
        expect(page.get_by_text("Anna Alfasen")).to_have_count(0)
    # Signing in counted as a fresh check; make it old so the sensitive action asks again.
    member.forget_reauthentication()
    page.get_by_role("main").get_by_role("link", name=t("Break the glass")).click()
    member.confirm_identity()

    expect(page.get_by_role("heading", level=1)).to_have_text(t("Break the glass"))
    expect(page.get_by_label(t("Case reference"))).to_have_value(case.reference)
    reason = "Threat report names Anna; I must check the case tonight."
    page.get_by_label(t("Reason")).fill(reason)
    page.get_by_label(
        t("I confirm that I need this access for my work and that it is logged and reviewed.")
    ).check()
    page.get_by_role("button", name=t("Open the case")).click()

    expect(page).to_have_url(member.url(f"/sager/{case.reference}/"))
    banner = page.get_by_role("alert").filter(
        has_text=t("You see this case outside your normal access.")
    )
    expect(banner).to_be_visible()
    expect(page.get_by_role("region", name=t("Person"), exact=True)).to_contain_text("Anna Alfasen")
    grant = BreakGlassGrant.objects.get(case=case, user=bworld.member_b)
    assert grant.reason == reason and grant.reviewed_at is None

    auditor = open_browser(bworld.auditor, language="en", start="/revision/bryd-glasset/")
    page, t = auditor.page, auditor.t
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Break-glass reviews"))
    row = page.get_by_role("row").filter(has_text=case.reference)
    expect(row).to_contain_text(bworld.member_b.email)
    expect(row).to_contain_text(reason)
    row.get_by_label(t("Review note")).fill("Checked with unit B's coordinator: justified.")
    row.get_by_role("button", name=t("Mark as reviewed")).click()
    expect(page.get_by_role("status")).to_contain_text(t("The access has been marked as reviewed."))
    expect(page.get_by_role("row").filter(has_text=case.reference)).to_have_count(0)

    page.get_by_role("link", name=t("Reviewed"), exact=True).click()
    reviewed = page.get_by_role("row").filter(has_text=case.reference)
    expect(reviewed).to_contain_text("Checked with unit B's coordinator: justified.")
    expect(reviewed).to_contain_text(bworld.auditor.email)
    grant.refresh_from_db()
    assert grant.reviewed_by_id == bworld.auditor.pk


def test_auditor_lands_on_a_page_they_may_use_after_signing_in(
    bworld: World, open_browser: Callable[..., Session]
) -> None:
    session = open_browser(bworld.auditor, language="en", login=False)
    page, t = session.page, session.t
    page.goto(session.url("/konto/log-ind/"))
    session.sign_in()  # password, or the provider with VEJUD_PASSWORD_LOGIN=0
    page.get_by_label(t("Code"), exact=True).fill(session.code())
    with page.expect_response(
        lambda r: (
            r.request.is_navigation_request()
            and "/konto/" not in r.url
            and not 300 <= r.status < 400
        )  # "/" redirects each role to its first page
    ) as landing:
        page.get_by_role("button", name=t("Sign in"), exact=True).click()
    assert landing.value.status == 200
    expect(page.get_by_role("heading", level=1)).not_to_have_text(t("Access denied"))


def test_the_page_watch_catches_csp_violations_and_accessibility_faults(
    chromium: Browser, problems: Problems
) -> None:
    """The watch that guards every page of every test really sees what it looks for."""
    context = chromium.new_context()
    page = context.new_page()
    problems.watch(page)
    page.route(
        "http://probe.test/**",
        lambda route: route.fulfill(
            content_type="text/html",
            headers={"Content-Security-Policy": "default-src 'self'"},
            body="<html><body><h1>One</h1><h3>Skips</h3><h1>Two</h1>"
            '<input name="nameless"><p id="x"></p><p id="x"></p>'
            "<script>window.injected = true;</script></body></html>",
        ),
    )
    page.goto("http://probe.test/page/")
    page.wait_for_timeout(200)
    context.close()
    assert any("script-src" in message for message in problems.csp), problems.csp
    found = " | ".join(problems.accessibility)
    for fault in (
        "no lang",
        "2 <h1>",
        "skips to H3",
        "duplicate id x",
        "without a label: nameless",
    ):
        assert fault in found, found
