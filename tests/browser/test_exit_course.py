"""Issue 4 in a real browser: plan and mentor, the mentor's view, a motivation dip, good release.

Each step is taken by the role that owns it, in its own browser (English interface).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from vejud_browser import Session

from vejud.cases.models import Case, Track
from vejud.courses.models import PlanAction, PlanGoal
from vejud.followup.models import EarlyWarning
from vejud.testing import World, make_admitted_case
from vejud.testing.builders import make_custody_case
from vejud.transfers.models import ReleasePlan, TransferStatus

pytestmark = pytest.mark.browser

Open = Callable[..., Session]


def test_plan_and_mentor_then_the_mentor_sees_only_the_mentor_view(
    bworld: World, open_browser: Open
) -> None:
    case = make_admitted_case(bworld, first_name="Mikkel", last_name="Dahl")
    ref = case.reference
    member = open_browser(bworld.member_a, "en", start=f"/sager/{ref}/")
    page = member.page
    page.goto(member.url(f"/sager/{ref}/forloeb/maal/"))
    page.get_by_label("Life area").select_option("housing")
    page.get_by_label("Goal").fill("A flat away from the old area")
    page.get_by_role("button", name="Add the goal").click()
    expect(page.get_by_text("A flat away from the old area").first).to_be_visible()
    goal = PlanGoal.objects.get(case=case)
    page.goto(member.url(f"/sager/{ref}/forloeb/maal/{goal.pk}/handling/"))
    page.get_by_label("Action", exact=True).fill("Apply for housing with the municipality")
    page.get_by_label("Owner agency").select_option("municipality")
    page.get_by_label("Deadline").fill((timezone.localdate() + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Add the action").click()
    expect(page.get_by_text("Apply for housing with the municipality").first).to_be_visible()
    assert PlanAction.objects.filter(case=case).count() == 1
    page.goto(member.url(f"/sager/{ref}/forloeb/mentor/"))
    page.get_by_label("Mentor", exact=True).select_option(str(bworld.mentor.pk))
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text(bworld.mentor.full_name).first).to_be_visible()

    mentor = open_browser(bworld.mentor, "en", start=f"/sager/{ref}/mentor/")
    mpage = mentor.page
    expect(mpage.get_by_text("Mikkel Dahl").first).to_be_visible()
    expect(mpage.get_by_text("Apply for housing with the municipality").first).to_be_visible()
    expect(mpage.get_by_text("Journal", exact=True)).to_have_count(0)
    response = mpage.goto(mentor.url(f"/sager/{ref}/journal/"))
    assert response is not None and response.status == 404
    response = mpage.goto(mentor.url(f"/sager/{ref}/cpr/"))
    assert response is not None and response.status == 404


def test_review_with_a_motivation_dip_flags_the_case_and_tasks_the_coordinator(
    bworld: World, open_browser: Open
) -> None:
    case = make_admitted_case(bworld)  # signed motivation level 4
    ref = case.reference
    member = open_browser(bworld.member_a, "en", start=f"/sager/{ref}/opfoelgning/ny/")
    page = member.page
    for legend in (
        "1. Gang-related crime has stopped",
        "2. Interaction with the environment has stopped",
        "3. A changed lifestyle and a new life outside",
    ):
        page.get_by_role("group", name=legend).get_by_label("Partly").check(force=True)
    page.get_by_role("group", name="Motivation level now").get_by_label(
        "1 – Very low", exact=False
    ).check(force=True)
    page.get_by_role("button", name="Save the review").click()
    expect(page).to_have_url(member.url(f"/sager/{ref}/#followup"))
    assert EarlyWarning.objects.filter(case=case, reason="motivation_drop").exists()
    expect(page.get_by_text("Motivation fell by two levels or more").first).to_be_visible()

    coordinator = open_browser(bworld.coordinator_a, "en", start="/opgaver/")
    row = coordinator.page.get_by_role("row").filter(has_text=ref).filter(has_text="Early warning")
    expect(row).to_have_count(1)


def test_custody_case_released_through_a_good_release_plan_and_an_accepted_transfer(
    bworld: World, open_browser: Open
) -> None:
    case = make_custody_case(bworld)
    ref = case.reference
    release_on = timezone.localdate() + timedelta(days=30)

    # The release date on the case page makes the plan at once: no daily job, no command line.
    custody = open_browser(bworld.custody, "en", start=f"/sager/{ref}/")
    page = custody.page
    page.locator("#release-on").fill(release_on.isoformat())
    page.get_by_role("button", name="Save the release date").click()
    expect(page.get_by_text("The release date is saved.")).to_be_visible()
    page.get_by_role("link", name="Work on the release plan").click()
    for item in (
        "Housing in place",
        "Income in place",
        "Treatment arranged",
        "Mentor from day one",
        "The receiving local unit is informed",
    ):
        page.get_by_label(item).check(force=True)
    page.get_by_label("Receiving local unit", exact=True).select_option(str(bworld.unit_a.pk))
    page.get_by_role("button", name="Save the release plan").click()
    plan = ReleasePlan.objects.get(case=case)
    assert plan.missing() == []
    page.goto(custody.url(f"/sager/{ref}/loesladelse/"))
    page.get_by_label("Hand-over note to the receiving unit").fill(
        "Released on the date; housing and mentor ready"
    )
    page.get_by_role("button", name="Request the transfer to the receiving unit").click()
    plan.refresh_from_db()
    assert plan.transfer is not None and plan.transfer.status == TransferStatus.PENDING

    receiver = open_browser(bworld.member_a, "en", start="/overdragelser/")
    rpage = receiver.page
    expect(rpage.get_by_text(ref).first).to_be_visible()
    rpage.get_by_role("button", name="Accept the transfer").first.click()
    case = Case.objects.get(pk=case.pk)
    # Unit A takes over now; the person stays in the prison until the release date.
    assert (case.track, case.responsible_unit_id, case.institution_id, case.release_on) == (
        Track.CUSTODY,
        bworld.unit_a.pk,
        bworld.prison.pk,
        release_on,
    )
    rpage.goto(receiver.url(f"/sager/{ref}/#release"))
    expect(rpage.get_by_text("the track becomes “At liberty”")).to_be_visible()
