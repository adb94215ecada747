"""A case review in Chromium, from the sample to the learning point and the unit's answer."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from vejud.quality.models import CaseReview, ReviewStatus
from vejud.testing import World, make_case

pytestmark = pytest.mark.browser


def test_a_review_from_the_sample_to_the_learning_point_and_the_unit_s_answer(
    open_browser: Any, bworld: World
) -> None:
    case = make_case(bworld.coordinator_a, bworld.unit_a)
    head = open_browser(bworld.head, "en", start="/kvalitet/runder/")
    page = head.page
    page.get_by_label("Title").fill("Consent review, spring")
    page.get_by_label("Cases opened from").fill(case.opened_on.isoformat())
    page.get_by_label("Cases opened until").fill(case.opened_on.isoformat())
    page.get_by_label("Choose the cases").select_option("random")
    page.get_by_label("Cases per unit").fill("2")
    page.get_by_role("button", name="Draw the cases").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consent review, spring")
    page.get_by_role("link", name=case.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    for item in (
        "Consent in place",
        "Assessment instruments signed",
        "A plan with owners and deadlines",
        "Follow-ups on time",
        "Decision grounds stated",
    ):
        page.get_by_role("group", name=item).get_by_label("Not relevant").check()
    page.get_by_role("group", name="Consent in place").get_by_label("No", exact=True).check()
    page.get_by_label("Findings").fill("No consent on file after three weeks.")
    page.get_by_role("button", name="Save the review").click()
    expect(page.get_by_text("The review is saved.")).to_be_visible()
    page.get_by_label("Theme").select_option("consent")
    page.get_by_label("Learning point").fill("Obtain consent at the first meeting.")
    page.get_by_role("button", name="Add the learning point").click()
    expect(page.get_by_text("Obtain consent at the first meeting.")).to_be_visible()
    page.get_by_role("button", name="Send the review to the unit").click()
    expect(page.get_by_text("The review is sent to the unit.")).to_be_visible()
    page.goto(head.url("/kvalitet/laeringspunkter/"))
    expect(page.get_by_text("Obtain consent at the first meeting.")).to_be_visible()

    unit = open_browser(bworld.coordinator_a, "en", start="/kvalitet/gennemgange/")
    page = unit.page
    page.get_by_role("link", name=case.reference).click()
    expect(page.get_by_text("No consent on file after three weeks.")).to_be_visible()
    page.get_by_label("The unit's answer").fill("Consent is now taken at the first meeting.")
    page.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_text(re.compile("The answer is sent"))).to_be_visible()
    review = CaseReview.objects.get(case=case)
    assert review.status == ReviewStatus.ANSWERED
    assert review.checklist["consent"]["answer"] == "no"
