"""The pool's case pages: apply, the application, decide, answer, withdraw, documents,
payments, releases and the decision letter; who may open them (404 / 403) and what is logged."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from vejud.audit.models import AccessLog
from vejud.cases.services import break_glass_open, mentor_assign
from vejud.pool.models import (
    Application,
    ApplicationStatus,
    Attachment,
    BudgetYear,
    Category,
    Payment,
)
from vejud.pool.services import application_decide, attachment_add
from vejud.testing import make_case, verified_client
from vejud.testing.pool import KR, make_application, make_grant, make_pool, make_pool_case, pay

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Case routes naming an application: (URL name, gate's capability as the matrix sees it).
APPLICATION_ROUTES = (
    "application",
    "attachment_add",
    "decide",
    "answer",
    "withdraw",
    "payment",
    "release",
    "letter",
)
READ_ROUTES = ("case_grants", "application", "attachment", "letter")


@pytest.fixture
def pool(world):
    return make_pool(world, budget_kr=100_000, cap_kr=20_000, person_cap_kr=30_000)


@pytest.fixture
def case(world, pool):
    return make_pool_case(world)


@pytest.fixture
def application(world, case):
    return make_application(world, case, amount_kr=10_000)


def case_of(application):
    return application.case


def url(name, case, application=None, **kwargs):
    if application is not None:
        kwargs["application_id"] = application if isinstance(application, int) else application.pk
    return reverse(f"pool:{name}", kwargs={"reference": case.reference, **kwargs})


def route(name, case, application, attachment=None):
    if name == "case_grants" or name == "apply":
        return url(name, case)
    if name == "attachment":
        return url(name, case, application, attachment_id=attachment.pk)
    return url(name, case, application)


@pytest.fixture
def attachment(world, application):
    return attachment_add(
        actor=world.member_a, application=application, kind="quote", filename="q.pdf", data=PDF
    )


# --- Who may open what ----------------------------------------------------------------------


# What a unit's roles may use; deciding, paying and releasing are national (always a basis).
UNIT_ROUTES = (
    "case_grants",
    "apply",
    "application",
    "attachment_add",
    "attachment",
    "answer",
    "withdraw",
    "letter",
)


@pytest.mark.parametrize("name", UNIT_ROUTES)
def test_other_unit_gets_404(world, application, attachment, name):
    """Unit B may apply for grants, but not see unit A's case: 404, not 403."""
    response = verified_client(world.member_b).get(
        route(name, application.case, application, attachment)
    )
    assert response.status_code == 404


@pytest.mark.parametrize("name", READ_ROUTES)
def test_mentor_of_the_case_gets_404_for_its_grants(world, application, attachment, name):
    """Grants are not a mentor part: the case's own mentor gets 404, as for the journal."""
    mentor_assign(actor=world.coordinator_a, case=application.case, mentor=world.mentor)
    client = verified_client(world.mentor)
    assert client.get(application.case.get_absolute_url()).status_code == 200
    response = client.get(route(name, application.case, application, attachment))
    assert response.status_code == 404


@pytest.mark.parametrize("name", [*APPLICATION_ROUTES, "case_grants", "apply", "attachment"])
def test_analyst_gets_403_on_every_case_page(world, application, attachment, name):
    response = verified_client(world.analyst).get(
        route(name, application.case, application, attachment)
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("user", "name"),
    [
        ("member_a", "decide"),
        ("coordinator_a", "decide"),
        ("head", "decide"),
        ("adviser", "decide"),
        ("member_a", "payment"),
        ("adviser", "payment"),
        ("member_a", "release"),
        ("adviser", "release"),
        ("decision_maker", "apply"),
        ("head", "apply"),
        ("decision_maker", "answer"),
        ("decision_maker", "withdraw"),
        ("adviser", "attachment_add"),
        ("mentor", "decide"),
        ("nobody", "application"),
    ],
)
def test_wrong_role_gets_403(world, application, user, name):
    client = verified_client(world.users[user])
    assert client.get(route(name, application.case, application)).status_code == 403
    assert client.post(route(name, application.case, application), {}).status_code == 403


def test_application_on_another_case_is_404(world, application):
    other = make_pool_case(world, first_name="Other")
    client = verified_client(world.member_a)
    assert client.get(url("application", other, application)).status_code == 404
    decider = verified_client(world.decision_maker)
    assert decider.get(url("decide", other, application)).status_code == 404
    assert decider.get(url("application", case_of(application), 999999)).status_code == 404


def test_attachment_of_another_application_is_404(world, application, attachment):
    second = make_application(world, application.case, amount_kr=1_000)
    client = verified_client(world.member_a)
    response = client.get(url("attachment", application.case, second, attachment_id=attachment.pk))
    assert response.status_code == 404


def test_wrong_method_is_405(world, application, attachment):
    client = verified_client(world.member_a)
    assert client.post(url("application", application.case, application)).status_code == 405
    assert client.post(url("case_grants", application.case)).status_code == 405
    assert (
        client.post(route("attachment", application.case, application, attachment)).status_code
        == 405
    )


def test_break_glass_reads_the_grants_but_cannot_apply(world, application):
    case = application.case
    break_glass_open(
        actor=world.member_b, reference=case.reference, reason="Urgent threat tonight."
    )
    client = verified_client(world.member_b)
    response = client.get(url("application", case, application))
    assert response.status_code == 200
    assert AccessLog.objects.filter(user=world.member_b, part="grants", break_glass=True).exists()
    assert "Withdraw the application" not in response.content.decode()
    assert client.get(url("apply", case)).status_code == 403
    assert client.get(url("withdraw", case, application)).status_code == 403


# --- Applying -------------------------------------------------------------------------------


def test_apply_page_shows_the_guideline_in_force_and_swaps_it_with_htmx(world, case):
    client = verified_client(world.member_a)
    response = client.get(url("apply", case))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'hx-get="' in html and 'hx-target="#guideline-panel"' in html
    assert "Choose a category to see the guideline in force" in html
    panel = client.get(
        url("apply", case), {"category": Category.PSYCHOLOGIST}, headers={"HX-Request": "true"}
    )
    text = panel.content.decode()
    assert panel.status_code == 200
    assert "<html" not in text and 'id="guideline-panel"' in text
    assert "Guideline for Psychologist treatment." in text
    assert "20.000,00 kr." in text and "30.000,00 kr." in text
    assert (
        AccessLog.objects.filter(user=world.member_a, case_id=case.pk, part="grants").count() == 2
    )


def _apply_data(**overrides):
    data = {
        "category": Category.TATTOO_REMOVAL,
        "amount": "12.345,50",
        "purpose": "Removal of a gang tattoo on the neck.",
        "supplier": "Klinik ApS",
        "period_from": "",
        "period_to": "",
        "over_cap_reason": "",
    }
    data.update(overrides)
    return data


def test_apply_parses_kroner_and_records_the_guideline(world, case):
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    client = verified_client(world.member_a)
    response = client.post(url("apply", case), _apply_data(period_from=today, period_to=today))
    application = Application.objects.get(case=case)
    assert response.status_code == 302
    assert response["Location"] == url("application", case, application)
    assert application.amount_ore == 1_234_550
    assert type(application.amount_ore) is int
    assert application.guideline.category == Category.TATTOO_REMOVAL
    assert application.applying_unit == world.unit_a
    assert not application.over_cap


def test_apply_above_the_cap_needs_a_reason_and_is_flagged(world, case):
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    client = verified_client(world.member_a)
    data = _apply_data(amount="25.000", period_from=today, period_to=today)
    response = client.post(url("apply", case), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_over_cap_reason_error"' in html
    assert "give the reason for the exception" in html
    assert not Application.objects.exists()
    data["over_cap_reason"] = "The safehouse is the only one with room."
    response = client.post(url("apply", case), data)
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.over_cap and application.over_cap_reason.startswith("The safehouse")


def test_apply_rejects_a_badly_typed_amount_on_the_field(world, case):
    client = verified_client(world.member_a)
    response = client.post(url("apply", case), _apply_data(amount="12,345.50"))
    html = response.content.decode()
    assert 'id="id_amount_error"' in html and "12.345,50" in html
    assert not Application.objects.exists()


def test_apply_on_a_case_in_inquiry_is_refused_with_a_message(world, pool):
    case = make_case(world.coordinator_a, world.unit_a)
    client = verified_client(world.member_a)
    response = client.get(url("apply", case), follow=True)
    assert response.redirect_chain[-1][0] == url("case_grants", case)
    assert "Grants can be applied for on cases under assessment" in response.content.decode()


# --- The application page and deciding --------------------------------------------------------


def test_application_page_shows_forms_by_role_and_logs(world, application):
    case = application.case
    unit = (
        verified_client(world.member_a).get(url("application", case, application)).content.decode()
    )
    assert "Withdraw the application" in unit and "Attach a document" in unit
    assert "Decide on the application" not in unit
    decider = verified_client(world.decision_maker).get(url("application", case, application))
    html = decider.content.decode()
    assert "Decide on the application" in html and "Withdraw the application" not in html
    assert "Available in" in html and "100.000,00 kr." in html
    assert AccessLog.objects.filter(part="grants", case_id=case.pk).count() == 2


def test_partial_approval_through_the_page(world, application):
    case = application.case
    client = verified_client(world.decision_maker)
    response = client.post(
        url("decide", case, application),
        {
            "decide-version": application.version,
            "decide-outcome": "approve_partly",
            "decide-amount": "6.000",
            "decide-reason": "The clinic's second session is not needed.",
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PARTLY_APPROVED
    assert application.approved_ore == 6_000 * KR
    assert BudgetYear.objects.get().committed_ore == 6_000 * KR
    page = verified_client(world.member_a).get(url("application", case, application))
    assert "6.000,00 kr." in page.content.decode()
    assert "Decision letter (PDF)" in page.content.decode()


def test_partial_approval_without_amount_is_a_field_error(world, application):
    client = verified_client(world.decision_maker)
    response = client.post(
        url("decide", application.case, application),
        {
            "decide-version": application.version,
            "decide-outcome": "approve_partly",
            "decide-reason": "x",
        },
    )
    assert response.status_code == 200
    assert 'id="id_decide-amount_error"' in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_approval_above_the_budget_is_shown_as_an_error(world, case):
    big = make_application(
        world, case, amount_kr=30_000, over_cap_reason="Needed for the relocation."
    )
    others = [make_pool_case(world, first_name=f"P{i}") for i in range(4)]
    for other in others:
        make_grant(world, other, amount_kr=20_000)  # 80.000 of 100.000 committed
    client = verified_client(world.decision_maker)
    response = client.post(
        url("decide", case, big), {"decide-version": big.version, "decide-outcome": "approve"}
    )
    assert response.status_code == 409  # the form with the error, as a conflict (like the API)
    assert "Not enough budget left" in response.content.decode()
    big.refresh_from_db()
    assert big.status == ApplicationStatus.SUBMITTED


def test_stale_decision_is_refused_with_a_message(world, application):
    client = verified_client(world.decision_maker)
    data = {
        "decide-version": application.version,
        "decide-outcome": "ask",
        "decide-reason": "Quote?",
    }
    assert client.post(url("decide", application.case, application), data).status_code == 302
    response = client.post(url("decide", application.case, application), data, follow=True)
    assert "changed by someone else" in response.content.decode()


def test_decided_application_cannot_be_decided_again(world, application):
    application_decide(actor=world.decision_maker, application=application, outcome="approve")
    response = verified_client(world.decision_maker).get(
        url("decide", application.case, application)
    )
    assert response.status_code == 302
    assert response["Location"] == url("application", application.case, application)


def test_ask_answer_and_withdraw_through_the_pages(world, application):
    case = application.case
    dm = verified_client(world.decision_maker)
    dm.post(
        url("decide", case, application),
        {
            "decide-version": application.version,
            "decide-outcome": "ask",
            "decide-reason": "Send the quote.",
        },
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INFO_REQUESTED
    unit = verified_client(world.member_a)
    page = unit.get(url("application", case, application)).content.decode()
    assert "Send the quote." in page and "Answer the National Exit Contact Point" in page
    response = unit.post(
        url("answer", case, application),
        {"answer-version": application.version, "answer-answer": "Quote attached."},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    response = unit.post(
        url("withdraw", case, application),
        {"withdraw-version": application.version, "withdraw-reason": "Paid by the municipality."},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def test_answer_when_nothing_was_asked_goes_back(world, application):
    response = verified_client(world.member_a).get(url("answer", application.case, application))
    assert response.status_code == 302


# --- Documents -------------------------------------------------------------------------------


def test_upload_and_download_a_document(world, application):
    case = application.case
    client = verified_client(world.member_a)
    upload = BytesIO(PDF)
    upload.name = "tilbud fra klinik.pdf"
    response = client.post(
        url("attachment_add", case, application),
        {"attachment-kind": "quote", "attachment-file": upload},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get(application=application)
    assert attachment.filename == "tilbud fra klinik.pdf"
    download = client.get(url("attachment", case, application, attachment_id=attachment.pk))
    assert download.status_code == 200
    assert download.content == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="tilbud fra klinik.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert AccessLog.objects.filter(user=world.member_a, part="grants", case_id=case.pk).exists()


def test_the_national_point_attaches_the_invoice_it_pays(world, application):
    """MANAGE_POOL serves instead of APPLY_GRANTS on the upload page, as in the API."""
    upload = BytesIO(PDF)
    upload.name = "faktura.pdf"
    response = verified_client(world.head).post(
        url("attachment_add", application.case, application),
        {"attachment-kind": "invoice", "attachment-file": upload},
    )
    assert response.status_code == 302
    assert Attachment.objects.get(application=application).uploaded_by == world.head


def test_download_of_a_danish_file_name_uses_the_utf8_form(world, application):
    attachment = attachment_add(
        actor=world.member_a,
        application=application,
        kind="invoice",
        filename="Faktura Århus.pdf",
        data=PDF,
    )
    response = verified_client(world.member_a).get(
        url("attachment", application.case, application, attachment_id=attachment.pk)
    )
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Faktura%20%C3%85rhus.pdf"
    )


def test_upload_of_a_disguised_file_is_a_field_error(world, application):
    client = verified_client(world.member_a)
    upload = BytesIO(b"<html><script>alert(1)</script></html>")
    upload.name = "invoice.pdf"
    response = client.post(
        url("attachment_add", application.case, application),
        {"attachment-kind": "invoice", "attachment-file": upload},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_attachment-file_error"' in html and "Only PDF documents" in html
    assert not Attachment.objects.exists()


def test_upload_above_the_limit_is_refused_before_reading(world, application, settings):
    settings.VEJUD_POOL_ATTACHMENT_MAX_BYTES = 1024 * 1024
    upload = BytesIO(PDF + b"0" * (1024 * 1024))
    upload.name = "big.pdf"
    response = verified_client(world.member_a).post(
        url("attachment_add", application.case, application),
        {"attachment-kind": "quote", "attachment-file": upload},
    )
    assert response.status_code == 200
    assert "larger than 1 MB" in response.content.decode()
    assert not Attachment.objects.exists()


# --- Payments, releases and the letter ------------------------------------------------------


def test_payment_and_release_through_the_pages(world, case):
    grant = make_grant(world, case, amount_kr=10_000)
    client = verified_client(world.head)
    today = grant.decided_at.date().isoformat()
    too_much = client.post(
        url("payment", case, grant),
        {
            "payment-paid_on": today,
            "payment-amount": "10.000,01",
            "payment-invoice_reference": "F-1",
        },
    )
    assert too_much.status_code == 200
    assert 'id="id_payment-amount_error"' in too_much.content.decode()
    response = client.post(
        url("payment", case, grant),
        {
            "payment-paid_on": today,
            "payment-amount": "4.000,50",
            "payment-invoice_reference": "F-1",
        },
    )
    assert response.status_code == 302
    assert Payment.objects.get().amount_ore == 400_050
    response = client.post(
        url("release", case, grant), {"release-amount": "", "release-reason": "Treatment ended."}
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert (grant.paid_ore, grant.released_ore, grant.unpaid_ore) == (400_050, 599_950, 0)
    year = BudgetYear.objects.get()
    assert (year.committed_ore, year.paid_ore) == (400_050, 400_050)
    assert client.get(url("payment", case, grant)).status_code == 302  # nothing left to pay


def test_decision_letter_is_a_danish_pdf_for_decided_applications(world, application):
    case = application.case
    client = verified_client(world.member_a)
    assert client.get(url("letter", case, application)).status_code == 302
    application_decide(
        actor=world.decision_maker,
        application=application,
        outcome="approve_partly",
        amount_ore=7_500 * KR,
        reason="One session less.",
    )
    response = client.get(url("letter", case, application))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "Afgørelse om bevilling fra den centrale pulje" in text
    assert "7.500,00 kr." in text and "10.000,00 kr." in text and "One session less." in text
    assert case.person.full_name not in text
    assert AccessLog.objects.filter(part="grants", case_id=case.pk, user=world.member_a).exists()


# --- The case's grants ----------------------------------------------------------------------


def test_case_grants_page_and_the_case_page_panel(world, case):
    grant = make_grant(world, case, amount_kr=5_000)
    pay(world, grant, 1_000, invoice="F-9", on=grant.decided_at.date())
    make_application(world, case, amount_kr=2_000)
    client = verified_client(world.member_a)
    html = client.get(url("case_grants", case)).content.decode()
    assert "5.000,00 kr." in html and "1.000,00 kr." in html and "2.000,00 kr." in html
    assert "Apply for a grant" in html
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'id="grants-heading"' in page and grant.reference in page


def test_case_page_has_no_grants_panel_for_the_mentor(world, application):
    mentor_assign(actor=world.coordinator_a, case=application.case, mentor=world.mentor)
    page = verified_client(world.mentor).get(application.case.get_absolute_url())
    assert page.status_code == 200
    assert 'id="grants-heading"' not in page.content.decode()
