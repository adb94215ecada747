"""Issue 3 in a real browser: inquiry → consent → three assessments → decision → letters.

One person is admitted by the unit (the walk in Danish, the system's first language); another
is refused, the refusal is referred, and the National Exit Contact Point overturns it
(the walk in English). Each step is taken by the role that owns it, in its own browser.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date

import pytest
from django.utils import translation
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader
from vejud_browser import Session

from vejud.assessments.models import CriteriaVersion, MotivationFactor
from vejud.audit.models import AccessLog
from vejud.cases.models import Case, CaseStatus
from vejud.decisions.models import Decision, DecisionOutcome, RefusalGround
from vejud.offers.models import OfferType
from vejud.organisations.models import Municipality
from vejud.testing import World
from vejud.testing.builders import protect_address

pytestmark = pytest.mark.browser

PROTECTED_ADDRESS = "Skjulestien 17, 9999 Gemmeby"
REFERENCE = re.compile(r"EX-\d{4}-\d{5}")


def in_language(language: str, value: Callable[[], object]) -> str:
    """Evaluate ``value()`` (reference-data names, lazy labels) in ``language``."""
    with translation.override(language):
        return str(value())


def factor(code: str, language: str) -> str:
    return in_language(language, lambda: MotivationFactor.objects.get(code=code).name)


def offer(code: str, language: str) -> str:
    return in_language(language, lambda: OfferType.objects.get(code=code).name)


def criteria_questions(language: str) -> list[str]:
    """The questions of the national criteria in force, as the form words them."""
    version = CriteriaVersion.objects.get(programme__code="national", valid_to=None)
    key = "text_en" if language == "en" else "text_da"
    return [question[key] for question in version.questions]


def register_inquiry(
    s: Session, *, first: str, last: str, cpr: str, birth: str, municipality: str
) -> str:
    """Fill in the inquiry form from the navigation; return the new case's reference."""
    page, t = s.page, s.t
    page.get_by_role("navigation", name=t("Main navigation")).get_by_role(
        "link", name=t("New inquiry")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("New inquiry"))
    page.get_by_label(t("First name")).fill(first)
    page.get_by_label(t("Last name")).fill(last)
    page.get_by_label(t("CPR number")).fill(cpr)
    page.get_by_label(t("Date of birth")).fill(birth)
    page.get_by_label(t("Phone")).fill("+45 20 30 40 50")
    page.get_by_label(t("Source of the inquiry")).select_option(label=t("The person"))
    page.get_by_label(t("Channel")).select_option(label=t("Phone"))
    page.get_by_label(t("Municipality")).select_option(label=municipality)
    page.get_by_role("button", name=t("Register inquiry")).click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(REFERENCE)
    match = REFERENCE.search(heading.inner_text())
    assert match is not None
    expect(page.get_by_role("status")).to_contain_text(match.group(0))
    return match.group(0)


def status_is(s: Session, status: CaseStatus) -> None:
    case_section = s.page.get_by_role("region", name=s.t("Case"), exact=True)
    expect(case_section).to_contain_text(in_language(s.language, lambda: status.label))


def process(page: Page, t: Callable[[str], str]) -> Locator:
    return page.get_by_role("region", name=t("Exit process"), exact=True)


def record_consent(s: Session, *, national: bool) -> None:
    page, t = s.page, s.t
    panel = process(page, t)
    expect(panel.get_by_role("alert")).to_contain_text(t("No valid consent"))
    panel.get_by_role("link", name=t("Record consent")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Record consent"))
    page.get_by_role("group", name=t("How the consent was given")).get_by_label(
        t("Given in person at the first meeting")
    ).check()
    agencies = page.get_by_role("group", name=t("Agencies that may share information"))
    for agency in ("Police", "Municipality", "Prison and Probation Service"):
        expect(agencies.get_by_label(t(agency), exact=True)).to_be_checked()
    if national:
        agencies.get_by_label(t("National Exit Contact Point")).check()
    topics = page.get_by_role("group", name=t("Information that may be shared"))
    topics.get_by_label(t("Crime and gang affiliation")).check()
    topics.get_by_label(t("Threats and safety")).check()
    page.get_by_role("button", name=t("Record consent")).click()
    expect(page.get_by_role("status")).to_contain_text(t("The consent is recorded."))
    expect(process(page, t).get_by_text(t("No valid consent"))).to_have_count(0)


def open_instrument(s: Session, label: str) -> None:
    page, t = s.page, s.t
    process(page, t).get_by_role("link", name=t(label), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(t(label))


def save_and_sign(s: Session) -> None:
    page, t = s.page, s.t
    page.get_by_role("button", name=t("Save draft")).click()
    expect(page.get_by_role("status")).to_contain_text(t("The draft is saved."))
    page.get_by_role("button", name=t("Sign the assessment")).click()
    expect(page.get_by_role("status")).to_contain_text(t("The assessment is signed."))
    expect(page.get_by_role("heading", name=t("Signed version %(v)s") % {"v": 1})).to_be_visible()


def back_to_case(s: Session, reference: str) -> None:
    back = s.t("Back to %(ref)s") % {"ref": reference}
    s.page.get_by_role("link", name=back, exact=True).click()
    expect(s.page).to_have_url(s.url(f"/sager/{reference}/"))


def assess_target_group(s: Session, reference: str) -> None:
    page, t = s.page, s.t
    open_instrument(s, "Target group")
    criteria = [
        t("Age within the programme's limits"),
        t("Degree of attachment within the target group"),
        t("Type of environment within the target group"),
        *criteria_questions(s.language),
    ]
    for criterion in criteria:
        page.get_by_role("group", name=criterion).get_by_label(t("Yes"), exact=True).check()
    page.get_by_label(t("Reasoning"), exact=True).fill(
        "Member of a gang for years; wants out himself."
    )
    save_and_sign(s)
    back_to_case(s, reference)


def assess_motivation(
    s: Session,
    reference: str,
    *,
    push: list[str],
    pull: list[str],
    help_wishes: list[str],
    kind: str,
    level: int,
    fear: bool,
) -> None:
    page, t = s.page, s.t
    open_instrument(s, "Motivation")
    push_group = page.get_by_role("group", name=t("I. Push factors (away from the group)"))
    for code in push:
        push_group.get_by_label(factor(code, s.language), exact=True).check()
    pull_group = page.get_by_role("group", name=t("I. Pull factors (towards a life outside)"))
    for code in pull:
        pull_group.get_by_label(factor(code, s.language), exact=True).check()
    page.get_by_label(t("II. The person's own explanation of why they want out")).fill(
        "Wants a different life for his daughter."
    )
    help_group = page.get_by_role("group", name=t("III. The help the person wishes for"))
    for code in help_wishes:
        help_group.get_by_label(offer(code, s.language), exact=True).check()
    if fear:
        page.get_by_label(t("IV. The motivation is borne by fear")).check()
    page.get_by_role("group", name=t("Inner or outer motivation")).get_by_label(t(kind)).check()
    # "2", or "1 – Very low: …" where the scale has an anchor.
    page.get_by_role("group", name=t("Overall motivation level")).get_by_label(
        re.compile(rf"^{level}( –|$)")
    ).check()
    page.get_by_label(t("Reasoning for the overall judgement")).fill("Judged in two talks.")
    page.get_by_role("button", name=t("Save draft")).click()
    expect(page.get_by_role("status")).to_contain_text(t("The draft is saved."))
    warning = page.get_by_role("alert").filter(has_text=t("Fear alone cannot carry an exit"))
    expect(warning).to_have_count(1 if fear and not pull else 0)
    page.get_by_role("button", name=t("Sign the assessment")).click()
    expect(page.get_by_role("status")).to_contain_text(t("The assessment is signed."))
    back_to_case(s, reference)


SUITABILITY_CRITERIA = {
    "leaving_clarity": "I. Clarity about what leaving the environment will mean in practice",
    "lifestyle_clarity": "II. Clarity about what changing lifestyle will mean in practice",
    "steps_taken": "III. Plans, actions and steps already taken to leave",
    "will_and_ability": "IV. Will and ability to make and carry out exit steps with the authorities",
}


def assess_suitability(s: Session, reference: str) -> None:
    page, t = s.page, s.t
    open_instrument(s, "Suitability")
    for field, criterion in SUITABILITY_CRITERIA.items():
        page.get_by_role("group", name=t(criterion)).get_by_label(t("To a high degree")).check()
        # The four reasoning fields share one label ("Reasoning"), so go by the field name.
        page.locator(f"textarea[name='{field}_reasoning']").fill(f"Shown in the talks ({field}).")
    page.get_by_role("group", name=t("Overall judgement")).get_by_label(
        t("Suitable"), exact=True
    ).check()
    page.get_by_label(t("Overall reasoning")).fill("Suitable for an exit course.")
    save_and_sign(s)
    back_to_case(s, reference)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def download_letter(s: Session, decision_label: str) -> tuple[str, str]:
    """Download the letter of the decision listed as ``decision_label``; return (name, text)."""
    page, t = s.page, s.t
    item = process(page, t).get_by_role("listitem").filter(has_text=decision_label)
    with page.expect_download() as info:
        item.get_by_role("link", name=t("Decision letter (PDF)")).click()
    download = info.value
    path = download.path()
    assert path is not None
    with open(path, "rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF-")
    return download.suggested_filename, pdf_text(data)


def assert_no_secrets(text: str, *, cpr: str, address: str | None = None) -> None:
    digits = re.sub(r"\D", "", text)
    assert cpr not in digits, "the CPR number is in the letter"
    assert f"{cpr[:6]}-{cpr[6:]}" not in text
    if address is not None:
        for part in re.split(r"[ ,]+", address):
            if len(part) > 3 and not part.isdigit():
                assert part not in text, f"the protected address ({part}) is in the letter"


def test_inquiry_to_admission_in_danish(
    bworld: World, open_browser: Callable[..., Session], municipality_a: Municipality
) -> None:
    member = open_browser(bworld.member_a, language="da")
    page, t = member.page, member.t
    expect(page.locator("html")).to_have_attribute("lang", "da")
    cpr = "0403901234"
    reference = register_inquiry(
        member,
        first="Adam",
        last="Alfasen",
        cpr=cpr,
        birth="1990-03-04",
        municipality=municipality_a.name,
    )
    case = Case.objects.get(reference=reference)
    assert case.responsible_unit_id == bworld.unit_a.pk and case.status == CaseStatus.INQUIRY

    record_consent(member, national=False)
    panel = process(page, t)
    panel.get_by_role("button", name=t("Start assessment")).click()
    expect(page.get_by_role("status")).to_contain_text(t("The case is updated."))
    status_is(member, CaseStatus.ASSESSMENT)

    assess_target_group(member, reference)
    assess_motivation(
        member,
        reference,
        push=["disillusion"],
        pull=["fatherhood", "job"],
        help_wishes=["work_education"],
        kind="Mainly inner motivation",
        level=4,
        fear=False,
    )
    assess_suitability(member, reference)
    panel = process(page, t)
    expect(panel.get_by_role("table")).not_to_contain_text(t("Not started"))
    # A unit member assesses but does not decide: the action is not offered.
    expect(panel.get_by_role("link", name=t("Make the unit's decision"))).to_have_count(0)

    coordinator = open_browser(bworld.coordinator_a, language="da", start=f"/sager/{reference}/")
    page, t = coordinator.page, coordinator.t
    process(page, t).get_by_role("link", name=t("Make the unit's decision")).click()
    page.get_by_role("group", name=t("Decision"), exact=True).get_by_label(
        t("Admit to an exit course")
    ).check()
    page.get_by_label(t("Reasoning"), exact=True).fill(
        "All three assessments support an exit course."
    )
    page.get_by_role("button", name=t("Make the decision")).click()
    expect(page.get_by_role("status")).to_contain_text(
        t("The decision is recorded. The letter can be printed from the case.")
    )
    status_is(coordinator, CaseStatus.ADMITTED)

    filename, text = download_letter(coordinator, t("Admitted"))
    assert filename.startswith(reference) and filename.endswith(".pdf")
    assert f"Sagsnummer: {reference}" in text
    assert "Du er optaget i et exitforløb" in text
    assert "All three assessments support an exit course." in text
    assert "Adam Alfasen" in text
    assert_no_secrets(text, cpr=cpr)
    decision = Decision.objects.get(case=case)
    assert (decision.outcome, decision.decided_by_id) == (
        DecisionOutcome.ADMIT,
        bworld.coordinator_a.pk,
    )


def test_refusal_referral_and_overturned_final_decision(
    bworld: World, open_browser: Callable[..., Session], municipality_a: Municipality
) -> None:
    member = open_browser(bworld.member_a, language="en")
    page, t = member.page, member.t
    cpr = "1208851234"
    reference = register_inquiry(
        member,
        first="Bo",
        last="Betasen",
        cpr=cpr,
        birth="",
        municipality=municipality_a.name,
    )
    case = Case.objects.get(reference=reference)
    record_consent(member, national=True)
    process(page, t).get_by_role("button", name=t("Start assessment")).click()
    status_is(member, CaseStatus.ASSESSMENT)
    assess_motivation(
        member,
        reference,
        push=["fear_for_life"],
        pull=[],
        help_wishes=["temporary_relocation"],
        kind="Mainly outer motivation",
        level=1,
        fear=True,
    )
    # The person's address is protected (registered by the coordinator, its custodian).
    protect_address(
        bworld,
        case,
        PROTECTED_ADDRESS,
        reason="Threatened by the group.",
        cpr_protection="requested",
        requested_on=date.today(),
    )

    coordinator = open_browser(bworld.coordinator_a, language="en", start=f"/sager/{reference}/")
    page, t = coordinator.page, coordinator.t
    process(page, t).get_by_role("link", name=t("Make the unit's decision")).click()
    expect(
        page.get_by_text(
            t(
                "The motivation assessment found fear to be the only factor. Fear alone cannot carry an exit."
            )
        )
    ).to_be_visible()
    page.get_by_role("group", name=t("Decision"), exact=True).get_by_label(
        t("Refuse"), exact=True
    ).check()
    page.get_by_role("group", name=t("Grounds for a refusal")).get_by_label(
        t("Not motivated enough")
    ).check()
    refusal_reasoning = "Fear for his own life is the only motive we found."
    page.get_by_label(t("Reasoning"), exact=True).fill(refusal_reasoning)
    page.get_by_role("button", name=t("Make the decision")).click()
    status_is(coordinator, CaseStatus.REFUSED)

    filename, text = download_letter(coordinator, t("Refused"))
    assert f"Sagsnummer: {reference}" in text
    with translation.override("da"):
        ground = str(RefusalGround.NOT_MOTIVATED.label)
    assert ground in text
    assert refusal_reasoning in text
    assert "forelagt Det Nationale Exit-kontaktpunkt" in text
    assert "Bo Betasen" in text
    assert_no_secrets(text, cpr=cpr, address=PROTECTED_ADDRESS)

    # The unit member puts the refusal before the National Exit Contact Point.
    page, t = member.page, member.t
    page.goto(member.url(f"/sager/{reference}/"))
    process(page, t).get_by_role("link", name=t("Refer for final decision")).click()
    expect(page.get_by_label(t("The person asked for the referral"))).to_be_checked()
    page.get_by_label(t("Note to the National Exit Contact Point")).fill(
        "He disagrees with the refusal."
    )
    page.get_by_role("button", name=t("Refer for final decision")).click()
    expect(page.get_by_role("status")).to_contain_text(
        t("The case is referred to the National Exit Contact Point.")
    )
    status_is(member, CaseStatus.REFERRED)

    # The national decision-maker finds the referral on the task list and overturns it.
    national = open_browser(bworld.decision_maker, language="en", start="/opgaver/")
    page, t = national.page, national.t
    page.get_by_role("table").get_by_role("link", name=reference).click()
    panel = process(page, t)
    expect(panel).to_contain_text(t("Referral to the National Exit Contact Point"))
    panel.get_by_role("link", name=t("Make the final decision")).click()
    expect(page.get_by_text("He disagrees with the refusal.")).to_be_visible()
    page.get_by_role("group", name=t("Final decision"), exact=True).get_by_label(
        t("Admit and return the case to the unit")
    ).check()
    final_reasoning = "New information: he has a job offer and has moved away."
    page.get_by_label(t("Reasoning"), exact=True).fill(final_reasoning)
    page.get_by_role("button", name=t("Make the final decision"), exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(t("The final decision is recorded."))
    status_is(national, CaseStatus.ADMITTED)

    filename, text = download_letter(national, t("Refusal overturned: admitted"))
    assert "endelig-afgoerelse" in filename
    assert f"Sagsnummer: {reference}" in text
    assert "Endelig afgørelse" in text and "Afgørelsen er endelig" in text
    assert final_reasoning in text
    assert "Bo Betasen" in text
    assert_no_secrets(text, cpr=cpr, address=PROTECTED_ADDRESS)
    # The decision-maker's look at the whole case is in the access log.
    assert AccessLog.objects.filter(user=bworld.decision_maker, case_id=case.pk).exists()

    # Back with the unit: the case is admitted.
    member.page.reload()
    status_is(member, CaseStatus.ADMITTED)

    outcomes = list(
        Decision.objects.filter(case=case)
        .order_by("decided_at")
        .values_list("outcome", "decided_by")
    )
    assert outcomes == [
        (DecisionOutcome.REFUSE, bworld.coordinator_a.pk),
        (DecisionOutcome.OVERTURN, bworld.decision_maker.pk),
    ]
