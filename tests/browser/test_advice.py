"""Issue 15 in a real browser: a unit member asks about a case from the case page with one
part attached, the adviser sees only that part, asks back, the member answers, the adviser
answers with a recommendation, and the member finds the answer on the case page and closes
the request (the adviser's access to the case ends with it)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect
from vejud_browser import Session

from vejud.advice.models import AdviceRequest, AdviceStatus
from vejud.audit.models import AccessLog
from vejud.testing import World
from vejud.testing.builders import make_assessment_case

pytestmark = pytest.mark.browser

Open = Callable[..., Session]


def test_a_request_from_the_unit_to_the_answer_and_back(bworld: World, open_browser: Open) -> None:
    case = make_assessment_case(bworld)
    member = open_browser(bworld.member_a, "en", start=f"/sager/{case.reference}/")
    page = member.page
    page.get_by_role("link", name="Ask the national contact point about this case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask the national contact point")
    page.get_by_label("Topic").select_option("motivation")
    page.get_by_label("Question").fill("Is his motivation sufficient for a course?")
    page.get_by_label("Attach the plan").check()
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("Your request is with the national contact point.")).to_be_visible()
    advice = AdviceRequest.objects.get()
    assert advice.attach_plan and not advice.attach_instruments

    adviser = open_browser(bworld.adviser, "en", start="/raadgivning/koe/")
    apage = adviser.page
    apage.get_by_role("link", name=f"Request {advice.pk}").click()
    apage.get_by_role("link", name="See the attached parts of the case").click()
    expect(apage.get_by_role("heading", level=2, name="Plan")).to_be_visible()
    expect(apage.get_by_role("heading", name="Instruments")).to_have_count(0)
    apage.get_by_role("link", name="Back to the request").click()
    apage.get_by_label("Message").fill("Has he accepted the mentor?")
    apage.get_by_role("button", name="Ask the unit").click()
    expect(apage.get_by_text("The message is sent.")).to_be_visible()

    page.goto(member.url("/opgaver/"))
    expect(page.get_by_text("The national contact point asks your unit")).to_be_visible()
    page.locator(f"a[href='/raadgivning/{advice.pk}/']").first.click()
    page.get_by_label("Message").fill("Yes, last week.")
    page.get_by_role("button", name="Send the message").click()
    expect(page.get_by_text("The message is sent.")).to_be_visible()

    apage.reload()
    apage.get_by_label("Answer").fill("Go ahead with the course.")
    apage.get_by_label("Recommendation on motivation").select_option("sufficient")
    apage.get_by_label("Reasons for the recommendation").fill("He keeps his appointments.")
    apage.get_by_role("button", name="Send the answer").click()
    expect(apage.get_by_text("The answer is sent.")).to_be_visible()

    page.goto(member.url(f"/sager/{case.reference}/"))
    expect(page.locator("#advice")).to_contain_text("Go ahead with the course.")
    page.goto(member.url(f"/raadgivning/{advice.pk}/"))
    page.get_by_role("button", name="Close the request").click()
    expect(page.get_by_text("The request is closed.")).to_be_visible()
    advice.refresh_from_db()
    assert advice.status == AdviceStatus.CLOSED
    response = apage.goto(adviser.url(f"/raadgivning/{advice.pk}/sag/"))
    assert response is not None and response.status == 404
    assert AccessLog.objects.filter(user=bworld.adviser, advice=True).count() >= 3
