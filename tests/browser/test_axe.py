"""axe-core on every main page for every role that reaches it: 0 violations of WCAG 2.1 A/AA.

axe-core comes from npm (``package.json``, installed by ``bin/setup``). It is added to each
signed-in browser as an init script (Playwright's, so the pages' Content Security Policy does
not apply to it) and run with the WCAG 2.0 and 2.1 A and AA rules; no rule is turned off.
Each role of the cast signs in once and walks the pages of its main menu and the pages it
reaches from them: the caseload and a search, the case page with its panels (closed
``<details>`` opened, logged reveals swapped in), the task list, transfers, the pool, the
person page, action and other forms (some submitted with validation errors), the account and
sign-in pages, the auditor's pages, statistics, training, the 403, 404 and 409 pages, and the
mobile menu. The pages are in Danish, unit B's member's in English. Every violation is reported with its rule, help text and the nodes it was found on.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Locator, expect
from vejud_browser import Session

from vejud.accounts.models import AuthenticatorDevice, RoleGrant
from vejud.advice.services import advice_answer, advice_request_create
from vejud.cases.models import JournalEntry
from vejud.cases.services import break_glass_open, journal_add
from vejud.exports.models import Export
from vejud.exports.services import export_build, export_request
from vejud.statistics.dashboard import default_period
from vejud.testing import World, make_user
from vejud.testing.builders import (
    make_assessed_case,
    make_assessment_case,
    make_full_course,
    make_referred_case,
    make_release_case,
    make_sensitive_case,
)
from vejud.testing.pool import make_application, make_grant, make_pool
from vejud.testing.training import make_course, make_session
from vejud.training.services import register

pytestmark = pytest.mark.browser

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
  }));
}"""


@dataclass
class Walk:
    """The pages checked and the violations found, by role and page."""

    found: list[str] = field(default_factory=list)
    checked: int = 0

    def check(self, session: Session, role: str, label: str) -> None:
        """Run axe on the page as it is now (closed <details> opened first)."""
        page = session.page
        page.evaluate("() => document.querySelectorAll('details').forEach((d) => d.open = true)")
        self.checked += 1
        for violation in page.evaluate(RUN_AXE, TAGS):
            nodes = "".join(
                f"\n    {node['target']}: {node['summary']}" for node in violation["nodes"]
            )
            where = page.url.removeprefix(session.base_url)
            self.found.append(
                f"{role} on {label} ({where}): {violation['id']} [{violation['impact']}] "
                f"{violation['help']}{nodes}"
            )

    def bites(self, session: Session) -> None:
        """axe is live: a button without a name added to the page is a violation."""
        page = session.page
        page.evaluate(
            "() => document.querySelector('main').append(document.createElement('button'))"
        )
        violations = page.evaluate(RUN_AXE, TAGS)
        page.evaluate("() => document.querySelector('main > button:last-child').remove()")
        assert [v["id"] for v in violations] == ["button-name"], violations

    def visit(self, session: Session, role: str, path: str, status: int = 200) -> None:
        """Open ``path`` (it must answer ``status``) and check it."""
        response = session.page.goto(session.url(path))
        assert response is not None
        assert response.status == status, (role, path, response.status)
        self.check(session, role, path)

    def invalid(self, session: Session, role: str, label: str, button: Locator) -> None:
        """Submit the button's form as a browser without form validation would (the fields as
        they are: empty), wait for the server's error messages and check the page."""
        page = session.page
        page.evaluate("() => document.querySelectorAll('form').forEach((f) => f.noValidate = true)")
        button.click()
        expect(page.locator(".form-error-message, .alert-error").first).to_be_visible()
        self.check(session, role, f"{label} with errors")


def re_path(path: str) -> re.Pattern[str]:
    return re.compile(re.escape(path))


def _data(world: World) -> dict[str, Any]:
    """A case with a full course (plan, offer, mentor, a review with a warning, a transfer to
    the national contact point pending), a journal note, a grant application, a case in
    assessment, a custody case with a release plan, a case whose person has a CPR number,
    threats and a protected address, a break-glass grant, a role grant to decide, and a
    training session taught by member B with member A registered."""
    course = make_full_course(world, first_name="Aksel", last_name="Axelsen")
    case = course.case
    entry = journal_add(actor=world.member_a, case=case, text="First conversation at the unit.")
    make_pool(world)
    application = make_application(world, case)
    assessment = make_assessment_case(world, first_name="Asta", last_name="Vurdering")
    grant = make_grant(world, assessment, amount_kr=5_000)
    assessed = make_assessed_case(world, first_name="Anders", last_name="Afgoerelse")
    referred = make_referred_case(world, first_name="Rikke", last_name="Forelagt")
    release = make_release_case(world, first_name="Carl", last_name="Custodio")
    sensitive = make_sensitive_case(world, first_name="Sara", last_name="Skjult")
    break_glass_open(
        actor=world.member_b, reference=case.reference, reason="Urgent report from the night."
    )
    RoleGrant.objects.create(
        user=world.nobody,
        unit=world.unit_a,
        role="unit_member",
        agency="police",
        reason="New colleague in unit A.",
        requested_by=world.head,
    )
    session = make_session(world, make_course(world), teachers=[world.member_b])
    register(actor=world.member_a, session=session)
    advice = advice_request_create(
        actor=world.member_a,
        unit=world.unit_a,
        topic="motivation",
        question="Is the motivation sufficient?",
        case=case,
        attach_plan=True,
        journal_entries=[entry],
    )
    advice_answer(
        actor=world.adviser,
        request=advice,
        text="Yes.",
        motivation="sufficient",
        reasons="He keeps his appointments.",
    )
    assert isinstance(entry, JournalEntry)
    selection = {"period": default_period().value, "unit": "", "track": "", "all_periods": True}
    done = export_request(actor=world.head, kind="case_rows", fmt="csv", selection=selection)
    export_build(export_id=done.pk)
    waiting = export_request(actor=world.head, kind="dashboard", fmt="csv", selection=selection)
    # Shown as being made (the progress bar): the test's worker built it at once.
    Export.objects.filter(pk=waiting.pk).update(status="running", rows_total=100, rows_done=40)
    return {
        "case": case.reference,
        "person": case.person.public_id,
        "entry": entry.pk,
        "application": application.pk,
        "assessment": assessment.reference,
        "grant": grant.pk,
        "assessed": assessed.reference,
        "referred": referred.reference,
        "release": release.reference,
        "sensitive": sensitive.reference,
        "session": session.pk,
        "advice": advice.pk,
        "export_done": done.pk,
        "export_waiting": waiting.pk,
    }


def _pages(d: dict[str, Any]) -> dict[str, list[str]]:
    """The pages each role of the cast reaches beyond those of its main menu."""
    case = f"/sager/{d['case']}/"
    grants = f"{case}puljen/{d['application']}/"
    session = f"/uddannelse/hold/{d['session']}/"
    casework = [
        "/sager/?q=Axelsen",
        case,
        f"/personer/{d['person']}/",
        f"{case}puljen/",
        grants,
        "/konto/profil/",
        "/uddannelse/mine/",
        session,
    ]
    return {
        "member_a": [
            *casework,
            f"{case}opfoelgning/ny/",
            f"/sager/{d['assessment']}/overdragelser/ny/",
            f"{case}puljen/ny/",
            f"{case}journal/{d['entry']}/ret/",
            f"/sager/{d['assessment']}/",
            f"/sager/{d['assessment']}/vurdering/target_group/",
            f"/sager/{d['assessment']}/vurdering/motivation/",
            f"/sager/{d['assessment']}/vurdering/suitability/",
            f"/sager/{d['assessment']}/samtykke/",
            f"/sager/{d['assessment']}/bandetilknytning/",
            "/konto/sessioner/",
            "/konto/api-noegler/",
            "/konto/api-noegler/ny/",
            "/raadgivning/ny/",
            f"/raadgivning/ny/?case={d['case']}",
            f"/raadgivning/{d['advice']}/",
        ],
        "coordinator_a": [
            *casework,
            f"/sager/{d['sensitive']}/beskyttet-adresse/",
            f"{case}forloeb/mentor/",
            f"/personer/{d['person']}/indsigt/",
        ],
        "member_b": [
            "/konto/profil/",
            session,
            f"{session}fremmoede/",
            # the case unit A holds, opened by breaking the glass: every page with the banner
            case,
            f"{case}vurdering/motivation/",
            f"{case}mentor/",
            f"{case}puljen/",
        ],
        "adviser": [
            *casework,
            f"{session}fremmoede/",
            f"/raadgivning/{d['advice']}/",
            f"/raadgivning/{d['advice']}/sag/",
        ],
        "decision_maker": [
            *casework,
            f"{grants}afgoer/",
            f"/sager/{d['referred']}/",
            f"/sager/{d['referred']}/endelig-afgoerelse/",
            f"/sager/{d['referred']}/oplysninger/",
        ],
        "head": [
            *casework,
            "/puljen/budget/",
            "/puljen/retningslinjer/",
            "/puljen/retningslinjer/ny/",
            f"/sager/{d['assessment']}/puljen/{d['grant']}/",
            f"/sager/{d['assessment']}/puljen/{d['grant']}/betaling/",
            "/eksport/",
            f"/eksport/{d['export_done']}/",
            f"/eksport/{d['export_waiting']}/",
        ],
        "custody": [
            f"/sager/{d['release']}/",
            f"/sager/{d['release']}/loesladelse/",
            "/konto/profil/",
        ],
        "mentor": [case, f"{case}mentor/", "/konto/profil/"],
        "analyst": ["/konto/profil/"],
        "sysadmin": ["/konto/profil/"],
        "auditor": ["/konto/profil/"],
    }


def _menu(session: Session) -> list[str]:
    """The paths of the main menu's entries."""
    links = session.page.locator("nav.nav a.nav-link")
    hrefs = links.evaluate_all("links => links.map((a) => a.getAttribute('href'))")
    return [str(href) for href in hrefs]


def test_no_axe_violations_on_any_main_page(
    bworld: World, open_browser: Callable[..., Session]
) -> None:
    assert AXE.exists(), "axe-core is missing: bin/setup installs it (npm ci)"
    walk = Walk()
    data = _data(bworld)

    def signed_in(role: str, start: str = "/konto/profil/") -> Session:
        language = "en" if role == "member_b" else "da"  # one role in English
        session = open_browser(bworld.users[role], language=language, start=start)
        session.context.add_init_script(path=str(AXE))
        return session

    _signing_in(walk, bworld, open_browser)
    for role, extra in _pages(data).items():
        session = signed_in(role)
        for path in dict.fromkeys([*_menu(session), *extra]):
            walk.visit(session, role, path)
        if role == "member_a":
            _member_a(walk, session, f"/sager/{data['case']}/")
        elif role == "coordinator_a":
            _coordinator_a(walk, session, data)

    report = "\n".join(walk.found)
    assert not walk.found, f"{len(walk.found)} axe violations on {walk.checked} pages:\n{report}"


def _signing_in(walk: Walk, world: World, open_browser: Callable[..., Session]) -> None:
    """The login page, with its errors; the two-factor page, with a wrong code; the set-up
    page of a user without an authenticator yet."""
    session = open_browser(world.nobody, language="da", login=False)
    session.context.add_init_script(path=str(AXE))
    page, t = session.page, session.t
    walk.visit(session, "anonymous", "/konto/log-ind/")
    walk.bites(session)
    walk.invalid(session, "anonymous", "login", page.get_by_role("button", name=t("Continue")))
    session.sign_in()  # password, or the provider with VEJUD_PASSWORD_LOGIN=0
    expect(page).to_have_url(re_path("/konto/to-faktor/"))
    walk.check(session, "nobody", "two-factor")
    page.get_by_label(t("Code"), exact=True).fill(
        "000000" if session.code() != "000000" else "111111"
    )
    page.get_by_role("button", name=t("Sign in"), exact=True).click()
    expect(page.locator(".form-error-message, .alert-error").first).to_be_visible()
    walk.check(session, "nobody", "two-factor with errors")

    newcomer = make_user("newcomer@test.vejud.dk", "New Comer", world.unit_a)
    assert not AuthenticatorDevice.objects.filter(user=newcomer).exists()
    fresh = open_browser(newcomer, language="da", login=False)
    fresh.context.add_init_script(path=str(AXE))
    fresh.page.goto(fresh.url("/konto/log-ind/"))
    fresh.sign_in()
    expect(fresh.page).to_have_url(re_path("/konto/to-faktor/opsaet/"))
    walk.check(fresh, "newcomer", "two-factor set-up")


def _member_a(walk: Walk, session: Session, case: str) -> None:
    """Unit A's member: forms answered with their errors (a page, an action page, an htmx
    swap on the case page), the re-authentication page, the 404, 403 and 409 pages, and the
    menu on a phone."""
    page, t = session.page, session.t
    walk.visit(session, "member_a", "/sager/ny-henvendelse/")
    walk.invalid(
        session, "member_a", "new inquiry", page.get_by_role("button", name=t("Register inquiry"))
    )
    walk.visit(session, "member_a", f"{case}forloeb/maal/")
    walk.invalid(session, "member_a", "goal", page.get_by_role("button", name=t("Add the goal")))
    walk.visit(session, "member_a", case)
    journal = page.get_by_role("region", name=t("Journal"), exact=True)
    walk.invalid(
        session, "member_a", "journal note", journal.get_by_role("button", name=t("Add note"))
    )
    walk.visit(session, "member_a", "/sager/XX-0000-00000/", status=404)
    walk.visit(session, "member_a", "/revision/", status=403)
    # The unit's decision is not a member's to make: 403 with the reason (rough edge 10).
    walk.visit(session, "member_a", f"{case}afgoerelse/", status=403)
    session.forget_reauthentication()
    walk.visit(session, "member_a", "/konto/api-noegler/ny/")
    expect(page).to_have_url(re_path("/konto/bekraeft/"))
    page.set_viewport_size({"width": 375, "height": 800})
    page.get_by_role("button", name=t("Menu")).click()
    expect(page.get_by_role("dialog")).to_be_visible()
    walk.check(session, "member_a", "the mobile menu")
    page.set_viewport_size({"width": 1280, "height": 720})


def _coordinator_a(walk: Walk, session: Session, data: dict[str, Any]) -> None:
    """Unit A's coordinator: the unit's decision, submitted without an answer; a case whose
    CPR number and threats are revealed (htmx swaps)."""
    page, t = session.page, session.t
    walk.visit(session, "coordinator_a", f"/sager/{data['assessed']}/")
    # Not possible in the case's state (an exit course runs): the 409 page.
    walk.visit(session, "coordinator_a", f"/sager/{data['case']}/afgoerelse/", status=409)
    walk.visit(session, "coordinator_a", f"/sager/{data['assessed']}/afgoerelse/")
    walk.invalid(
        session,
        "coordinator_a",
        "unit decision",
        page.locator("main form button[type=submit]").last,
    )
    walk.visit(session, "coordinator_a", f"/sager/{data['sensitive']}/")
    page.get_by_role("button", name=t("Show CPR (logged)")).click()
    page.get_by_role("button", name=t("Show threats (logged)")).click()
    expect(page.get_by_role("button", name=t("Show threats (logged)"))).to_have_count(0)
    expect(page.get_by_role("button", name=t("Show CPR (logged)"))).to_have_count(0)
    walk.check(session, "coordinator_a", "revealed CPR and threats")
