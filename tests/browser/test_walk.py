"""The whole exit process in the browser, from inquiry to closure, by clicks alone (issue 14):
every step starts from a menu, a list or a link on the page the user is on; no typed URL and
no command line step. Each role takes its own steps in its own browser (English)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from test_exit_process import (
    assess_motivation,
    assess_suitability,
    assess_target_group,
    process,
    record_consent,
    register_inquiry,
    status_is,
)
from vejud_browser import Session

from vejud.cases.models import Case, CaseStatus
from vejud.courses.models import CaseClosure, PlanAction, PlanGoal
from vejud.followup.models import Review
from vejud.organisations.models import Municipality
from vejud.testing import World

pytestmark = pytest.mark.browser

Open = Callable[..., Session]


def open_case_from_caseload(s: Session, reference: str) -> None:
    """The case from the caseload's list (the page a user lands on after signing in)."""
    s.page.get_by_role("link", name=reference, exact=True).first.click()
    expect(s.page.get_by_role("heading", level=1)).to_contain_text(reference)


def test_from_inquiry_to_closure_by_clicks_alone(
    bworld: World, open_browser: Open, municipality_a: Municipality
) -> None:
    member = open_browser(bworld.member_a, "en")
    page, t = member.page, member.t
    reference = register_inquiry(
        member,
        first="Walther",
        last="Walk",
        cpr="0506901234",
        birth="1990-06-05",
        municipality=municipality_a.name,
    )
    record_consent(member, national=True)
    process(page, t).get_by_role("button", name=t("Start assessment")).click()
    status_is(member, CaseStatus.ASSESSMENT)
    assess_target_group(member, reference)
    assess_motivation(
        member,
        reference,
        push=["disillusion"],
        pull=["job"],
        help_wishes=["work_education"],
        kind="Mainly inner motivation",
        level=4,
        fear=False,
    )
    assess_suitability(member, reference)

    # The coordinator signs in on the caseload and opens the case from it.
    coordinator = open_browser(bworld.coordinator_a, "en")
    cpage = coordinator.page
    open_case_from_caseload(coordinator, reference)
    process(cpage, coordinator.t).get_by_role("link", name="Make the unit's decision").click()
    cpage.get_by_role("group", name="Decision", exact=True).get_by_label(
        "Admit to an exit course"
    ).check()
    cpage.get_by_label("Reasoning", exact=True).fill("All three assessments support it.")
    cpage.get_by_role("button", name="Make the decision").click()
    status_is(coordinator, CaseStatus.ADMITTED)

    # The course: a goal, an action, a mentor, a review, each from the case page.
    page.reload()
    page.get_by_role("region", name="What can be done now").get_by_role(
        "link", name="Add a goal"
    ).click()
    page.get_by_label("Life area").select_option("housing")
    page.get_by_label("Goal", exact=True).fill("A flat away from the old area")
    page.get_by_role("button", name="Add the goal").click()
    expect(page.get_by_text("A flat away from the old area").first).to_be_visible()
    page.get_by_role("link", name="Add an action").first.click()
    page.get_by_label("Action", exact=True).fill("Apply for housing with the municipality")
    page.get_by_label("Owner agency").select_option("municipality")
    page.get_by_label("Deadline").fill((timezone.localdate() + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Add the action").click()
    expect(page.get_by_text("Apply for housing with the municipality").first).to_be_visible()

    cpage.reload()
    cpage.get_by_role("region", name="What can be done now").get_by_role(
        "link", name="Assign a mentor"
    ).click()
    cpage.get_by_label("Mentor", exact=True).select_option(str(bworld.mentor.pk))
    cpage.get_by_role("button", name="Assign").click()
    expect(cpage.get_by_text(bworld.mentor.full_name).first).to_be_visible()

    page.reload()
    page.get_by_role("region", name="What can be done now").get_by_role(
        "link", name="Record a review"
    ).click()
    for legend in (
        "1. Gang-related crime has stopped",
        "2. Interaction with the environment has stopped",
        "3. A changed lifestyle and a new life outside",
    ):
        page.get_by_role("group", name=legend).get_by_label("Partly").check(force=True)
    page.get_by_role("group", name="Motivation level now").get_by_label(
        "4", exact=False
    ).first.check(force=True)
    page.get_by_role("button", name="Save the review").click()
    expect(page).to_have_url(member.url(f"/sager/{reference}/#followup"))

    # Closing the course, from the case page.
    page.get_by_role("region", name="What can be done now").get_by_role(
        "link", name="Close the exit course"
    ).click()
    page.get_by_role("group", name="Why does the course end?").get_by_label(
        "Completed", exact=False
    ).first.check(force=True)
    page.get_by_label("Closing summary").fill("The plan was carried out; a job and a flat.")
    page.get_by_role("button", name="Close the course").click()
    status_is(member, CaseStatus.CLOSED)

    case = Case.objects.get(reference=reference)
    assert case.status == CaseStatus.CLOSED and case.closed_on == timezone.localdate()
    assert PlanGoal.objects.filter(case=case).count() == 1
    assert PlanAction.objects.filter(case=case).count() == 1
    assert Review.objects.filter(case=case).count() == 1
    assert CaseClosure.objects.get(case=case).summary.startswith("The plan was carried out")
