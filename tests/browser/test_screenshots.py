"""Screenshots for a reviewer (issue 14): the caseload, the case page, the task list, a
form, the harmonisation dashboard and the national overview at 1280 px, 200 % zoom (640 CSS
px) and 375 px, written to ``var/screenshots/``
(``VEJUD_SCREENSHOT_DIR`` to choose another folder) by every run of the browser tests.

Each picture is a whole page in Danish as the unit member sees it (the overview as the
analyst); the test checks that
each file is a PNG exactly as wide as its viewport (no page wider than the screen).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from PIL import Image
from vejud_browser import Session

from vejud.testing import World, make_admitted_case, make_case
from vejud.testing.builders import add_goal, log_flagged_meeting, record_review

pytestmark = pytest.mark.browser

WIDTHS = (1280, 640, 375)


def _folder() -> Path:
    folder = Path(os.environ.get("VEJUD_SCREENSHOT_DIR", settings.BASE_DIR / "var" / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_screenshots_of_the_main_pages_at_three_widths(
    bworld: World, open_browser: Callable[..., Session]
) -> None:
    from vejud.cases.services import mentor_assign

    case = make_admitted_case(bworld)
    add_goal(bworld, case)
    mentor_assign(actor=bworld.coordinator_a, case=case, mentor=bworld.mentor)
    log_flagged_meeting(bworld, case)
    record_review(bworld, case, days_ago=1)
    from vejud.casedocs.services import document_add
    from vejud.demo.showcase import demo_pdf

    document_add(
        actor=bworld.member_a,
        case=case,
        kind="report",
        title="Udtalelse fra jobcentret om praktik og videre uddannelsesforløb",
        for_mentor=True,
        filename="udtalelse-fra-jobcentret-om-praktik.pdf",
        data=demo_pdf("Udtalelse"),
    )
    # The advice panel with an answer and the transfers panel with an earlier transfer.
    from vejud.advice.services import advice_answer
    from vejud.testing.advice import ask_about_case
    from vejud.transfers.services import transfer_decline, transfer_request

    advice_answer(
        actor=bworld.adviser,
        request=ask_about_case(bworld, case),
        text="Ja, motivationen er tilstrækkelig til et exitforløb.",
        motivation="sufficient",
        reasons="Han er mødt op til alle samtaler og har selv taget kontakt til jobcentret.",
    )
    transfer = transfer_request(
        actor=bworld.member_a, case=case, to_unit=bworld.unit_b, handover_note="Flytter til Aarhus."
    )
    transfer_decline(actor=bworld.coordinator_b, transfer=transfer, note="Bliver i enheden.")
    for n in range(3):
        make_case(bworld.member_a, bworld.unit_a, first_name=f"Skærm{n}", last_name="Billede")
    pages = {
        "caseload": "/sager/",
        "case": case.get_absolute_url(),
        "tasks": "/opgaver/",
        "form": reverse("intake:inquiry_new"),
        "dashboard": reverse("statistics:dashboard"),
    }
    # The national overview is the analyst's (a unit member gets 403 there).
    sessions = {
        "member": open_browser(bworld.member_a, language="da"),
        "analyst": open_browser(
            bworld.analyst, language="da", start=reverse("statistics:overview")
        ),
    }
    shown = [("member", name, path) for name, path in pages.items()]
    shown.append(("analyst", "overview", reverse("statistics:overview")))
    folder = _folder()
    written = []
    for width in WIDTHS:
        for who, name, path in shown:
            session = sessions[who]
            session.page.set_viewport_size({"width": width, "height": 900})
            session.page.goto(session.url(path))
            target = folder / f"{name}-{width}.png"
            session.page.screenshot(path=str(target), full_page=True)
            written.append((target, width))
    for target, width in written:
        with Image.open(target) as image:
            assert image.format == "PNG", target
            assert image.width == width, (target, image.width)
            assert image.height >= 400, (target, image.height)
