"""The central-pool operations through the API: every operation's happy path, bad input
(422/400 and nothing changed), never above the budget (409) and never a float."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from vejud.api.tests.pool_support import (
    KR,
    PDF,
    PoolApi,
    application_body,
    grants_url,
    png,
    pool_state,
)
from vejud.pool.models import (
    Application,
    ApplicationStatus,
    BudgetEntry,
    BudgetYear,
    CategoryFrame,
    Guideline,
    Payment,
)
from vejud.testing import make_admitted_case, make_case
from vejud.testing.builders import add_action, add_goal
from vejud.testing.pool import (
    add_entry,
    make_application,
    make_grant,
    make_pool,
    make_pool_case,
    pay,
)

pytestmark = pytest.mark.django_db

YEARS = "/api/v1/pool/years"


def this_year() -> int:
    return timezone.localdate().year


def today() -> str:
    return timezone.localdate().isoformat()


@pytest.fixture
def pool(world: Any) -> BudgetYear:
    return make_pool(world, budget_kr=100_000)


@pytest.fixture
def case(world: Any, pool: BudgetYear) -> Any:
    return make_pool_case(world)


# --- Budget years and entries -----------------------------------------------------------------


def test_open_a_year_list_it_and_refuse_it_twice(world, pool):
    client = PoolApi(world.head)
    body = {"year": this_year() + 1, "amount_ore": 2_000_000 * KR, "reason": "Finance act."}
    created = client.post(YEARS, body)
    assert created.status_code == 201, created.content
    assert created.json() == {
        "year": this_year() + 1,
        "budget_ore": 2_000_000 * KR,
        "committed_ore": 0,
        "paid_ore": 0,
        "available_ore": 2_000_000 * KR,
    }
    listed = client.get(YEARS).json()["items"]
    assert [y["year"] for y in listed] == [this_year() + 1, this_year()]
    before = pool_state()
    again = client.post(YEARS, body)
    assert again.status_code == 409
    assert str(this_year() + 1) in again.json()["detail"]
    assert pool_state() == before


def test_integral_json_numbers_are_the_integers_they_equal(world, pool):
    # JSON Schema's "integer" includes 1183.0 (vejud.core.limits): accepted as 1183, while a
    # fraction is refused (above); the same in every body, here the budget year's.
    client = PoolApi(world.head)
    created = client.post(YEARS, {"year": 2030.0, "amount_ore": 118300.0, "reason": "Whole."})
    assert created.status_code == 201, created.content
    assert (created.json()["year"], created.json()["budget_ore"]) == (2030, 118300)
    assert BudgetYear.objects.get(year=2030).budget_ore == 118300


@pytest.mark.parametrize(
    "body",
    [
        {"year": 2030.5, "amount_ore": 1000, "reason": "A fraction of a year."},
        {"year": 2030, "amount_ore": 1000.5, "reason": "Fraction."},
        {"year": 2030, "amount_ore": "1000", "reason": "String."},
        {"year": 2030, "amount_ore": 0, "reason": "Nothing."},
        {"year": 2030, "amount_ore": -5, "reason": "Negative."},
        {"year": 2030, "amount_ore": 10**12, "reason": "Too much."},
        {"year": 1999, "amount_ore": 100, "reason": "Too early."},
        {"year": 2030, "amount_ore": 100, "reason": ""},
        {"year": 2030, "amount_ore": 100, "reason": "x", "extra": 1},
    ],
)
def test_bad_year_bodies_are_422_and_change_nothing(world, pool, body):
    before = pool_state()
    response = PoolApi(world.head).post(YEARS, body)
    assert response.status_code == 422, response.content
    assert pool_state() == before


def test_budget_entries_reallocate_and_list(world, pool):
    client = PoolApi(world.decision_maker)
    url = f"{YEARS}/{this_year()}/entries"
    response = client.post(
        url,
        {
            "kind": "reallocation",
            "amount_ore": 30_000 * KR,
            "reason": "A frame for safehouses.",
            "to_category": "relocation",
        },
    )
    assert response.status_code == 201, response.content
    entry = response.json()
    assert (entry["kind"], entry["from_category"], entry["to_category"]) == (
        "reallocation",
        None,
        "relocation",
    )
    frame = CategoryFrame.objects.get(budget_year=pool, category="relocation")
    assert frame.budget_ore == 30_000 * KR
    listed = client.get(url).json()
    assert listed["year"] == this_year()
    assert [e["kind"] for e in listed["items"]] == ["allocation", "reallocation"]
    assert listed["items"][1]["created_by"] == world.decision_maker.full_name


@pytest.mark.parametrize(
    "body",
    [
        # More than the year's unframed remainder.
        {
            "kind": "reallocation",
            "amount_ore": 200_000 * KR,
            "reason": "x",
            "to_category": "moving",
        },
        # An allocation has no source; a reduction no target.
        {"kind": "allocation", "amount_ore": 100, "reason": "x", "from_category": "moving"},
        {"kind": "reduction", "amount_ore": 100, "reason": "x", "to_category": "moving"},
        {"kind": "gift", "amount_ore": 100, "reason": "x"},
        {"kind": "allocation", "amount_ore": 100, "reason": "x", "to_category": "yacht"},
        {"kind": "allocation", "amount_ore": 1.5, "reason": "x"},
        {"kind": "reduction", "amount_ore": 200_000 * KR, "reason": "Below zero."},
    ],
)
def test_bad_entries_are_422_and_change_nothing(world, pool, body):
    before = pool_state()
    response = PoolApi(world.head).post(f"{YEARS}/{this_year()}/entries", body)
    assert response.status_code == 422, response.content
    assert pool_state() == before


def test_a_year_without_a_budget_is_404(world, pool):
    client = PoolApi(world.head)
    assert client.get(f"{YEARS}/2150").status_code == 404
    assert client.get(f"{YEARS}/2150/entries").status_code == 404
    before = pool_state()
    body = {"kind": "allocation", "amount_ore": 100, "reason": "x"}
    assert client.post(f"{YEARS}/2150/entries", body).status_code == 404
    assert client.get(f"{YEARS}/1999").status_code == 422
    assert pool_state() == before


def test_the_overview_adds_up_per_category_unit_and_month(world, pool, case):
    add_entry(world, pool, "reallocation", 50_000, "Frame.", to_category="tattoo_removal")
    grant = make_grant(world, case, amount_kr=10_000)

    pay(world, grant, 4_000, invoice="F-1")
    make_application(world, case, amount_kr=2_000, category="psychologist")
    data = PoolApi(world.adviser).get(f"{YEARS}/{this_year()}").json()
    assert data["total"] == {
        "budget_ore": 100_000 * KR,
        "committed_ore": 10_000 * KR,
        "paid_ore": 4_000 * KR,
        "unpaid_ore": 6_000 * KR,
        "pending_ore": 2_000 * KR,
        "available_ore": 90_000 * KR,
        "applications": 2,
    }
    tattoo = next(c for c in data["categories"] if c["category"] == "tattoo_removal")
    assert (tattoo["budget_ore"], tattoo["committed_ore"], tattoo["available_ore"]) == (
        50_000 * KR,
        10_000 * KR,
        40_000 * KR,
    )
    psychologist = next(c for c in data["categories"] if c["category"] == "psychologist")
    assert psychologist["budget_ore"] is None and psychologist["pending_ore"] == 2_000 * KR
    assert data["units"] == [
        {
            "unit": world.unit_a.name,
            "budget_ore": None,
            "committed_ore": 10_000 * KR,
            "paid_ore": 4_000 * KR,
            "unpaid_ore": 6_000 * KR,
            "pending_ore": 2_000 * KR,
            "available_ore": None,
            "applications": 2,
        }
    ]
    month = timezone.localdate().replace(day=1).isoformat()
    assert data["months"] == [{"month": month, "paid_ore": 4_000 * KR}]


# --- Guidelines -----------------------------------------------------------------------------


def guideline_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "moving",
        "description": "Deposit and moving costs.",
        "cap_per_grant_ore": 30_000 * KR,
        "cap_per_person_year_ore": 40_000 * KR,
        "required_documentation": "A quote before, an invoice after.",
        "valid_from": (timezone.localdate() + timedelta(days=1)).isoformat(),
    }
    body.update(overrides)
    return body


def test_publish_a_guideline_ends_the_one_in_force(world, pool):
    client = PoolApi(world.head)
    response = client.post("/api/v1/pool/guidelines", guideline_body())
    assert response.status_code == 201, response.content
    assert response.json()["in_force"] is False  # from tomorrow
    listed = PoolApi(world.member_a).get("/api/v1/pool/guidelines").json()["items"]
    moving = [g for g in listed if g["category"] == "moving"]
    assert len(moving) == 2
    assert moving[1]["valid_to"] == today()
    assert moving[1]["in_force"] is True


@pytest.mark.parametrize(
    "overrides",
    [
        {"cap_per_person_year_ore": 100},  # below the cap per grant
        {"cap_per_grant_ore": 2.5},
        {"valid_from": "2026-13-01"},
        {"valid_from": "1 January"},
        {"valid_to": "2001-01-01"},  # before valid_from
        {"description": " "},
        {"category": "yacht"},
        {"valid_from": "2000-01-01"},  # not after the guideline already in force
    ],
)
def test_bad_guidelines_are_422_and_change_nothing(world, pool, overrides):
    before = pool_state()
    response = PoolApi(world.head).post("/api/v1/pool/guidelines", guideline_body(**overrides))
    assert response.status_code == 422, response.content
    assert pool_state() == before


# --- Applying -------------------------------------------------------------------------------


def test_apply_within_the_caps(world, case):
    response = PoolApi(world.member_a).post(grants_url(case), application_body())
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "submitted"
    assert data["case_reference"] == case.reference
    assert data["unit"]["code"] == world.unit_a.code
    assert data["over_cap"] is False
    assert data["amount_ore"] == 10_000 * KR
    assert data["reference"] == f"PUL-{data['id']:05d}"
    assert [e["kind"] for e in data["events"]] == ["submitted"]
    assert data["actions"] == {
        "decide": False,
        "answer": False,
        "withdraw": True,
        "pay": False,
        "release": False,
        "attach": True,
    }


def test_apply_above_the_cap_needs_a_reason_and_is_flagged(world, case):
    client = PoolApi(world.member_a)
    before = pool_state()
    refused = client.post(grants_url(case), application_body(amount_ore=60_000 * KR))
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["type"] == "over_cap_reason"
    assert pool_state() == before
    flagged = client.post(
        grants_url(case),
        application_body(amount_ore=60_000 * KR, over_cap_reason="Extensive tattoos on the face."),
    )
    assert flagged.status_code == 201
    assert flagged.json()["over_cap"] is True
    assert flagged.json()["over_cap_reason"] == "Extensive tattoos on the face."


def test_apply_for_an_exit_plan_action_of_the_case_only(world, pool):
    case = make_admitted_case(world)
    goal = add_goal(world, case, "safety", "Stay safe.")
    action = add_action(world, goal, "Remove the tattoos.")
    other = make_admitted_case(world, last_name="Other")
    other_goal = add_goal(world, other, "safety", "Safe.")
    other_action = add_action(world, other_goal, "Not this case.", owner_agency="police")
    client = PoolApi(world.member_a)
    before = pool_state()
    wrong = client.post(grants_url(case), application_body(plan_action_id=other_action.pk))
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["loc"] == ["body", "plan_action_id"]
    assert pool_state() == before
    right = client.post(grants_url(case), application_body(plan_action_id=action.pk))
    assert right.status_code == 201
    assert right.json()["plan_action"] == {"id": action.pk, "description": "Remove the tattoos."}


@pytest.mark.parametrize(
    "overrides",
    [
        {"amount_ore": 1000.25},
        {"amount_ore": "1000"},
        {"amount_ore": 0},
        {"amount_ore": True},
        {"category": "yacht"},
        {"purpose": ""},
        {"supplier": "x" * 201},
        {"period_to": "2000-01-01"},  # before period_from
        {"period_from": "2199-12-31", "period_to": "2199-12-31"},  # implausible, no budget
        {"purpose": "nul \x00 byte"},
        {"unexpected": "key"},
    ],
)
def test_bad_applications_are_422_and_change_nothing(world, case, overrides):
    before = pool_state()
    response = PoolApi(world.member_a).post(grants_url(case), application_body(**overrides))
    assert response.status_code == 422, response.content
    assert pool_state() == before


def test_no_application_on_an_inquiry_or_in_a_year_without_budget(world, pool):
    inquiry = make_case(world.member_a, world.unit_a)
    client = PoolApi(world.member_a)
    before = pool_state()
    response = client.post(grants_url(inquiry), application_body())
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "case_status"
    case = make_pool_case(world)
    next_year = timezone.localdate().replace(year=this_year() + 1, month=1, day=1).isoformat()
    response = client.post(
        grants_url(case), application_body(period_from=next_year, period_to=next_year)
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "no_budget_year"
    assert pool_state() == before


# --- Deciding, answering, withdrawing ---------------------------------------------------------


def decision_url(case: Any, application: Application, tail: str = "/decision") -> str:
    return grants_url(case, f"/{application.pk}{tail}")


def test_approve_in_full_commits_the_budget(world, pool, case):
    application = make_application(world, case, amount_kr=10_000)
    response = PoolApi(world.decision_maker).post(
        decision_url(case, application), {"outcome": "approve", "expected_version": 1}
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["approved_ore"], data["committed_ore"]) == (
        "approved",
        10_000 * KR,
        10_000 * KR,
    )
    assert data["decided_by"] == world.decision_maker.full_name
    assert data["actions"]["decide"] is False
    assert BudgetYear.objects.get(pk=pool.pk).committed_ore == 10_000 * KR


def test_approve_partly_refuse_and_ask_then_answer(world, case):
    partly = make_application(world, case, amount_kr=10_000)
    refused = make_application(world, case, amount_kr=1_000, category="psychologist")
    asked = make_application(world, case, amount_kr=2_000, category="moving")
    decider = PoolApi(world.decision_maker)
    response = decider.post(
        decision_url(case, partly),
        {"outcome": "approve_partly", "amount_ore": 7_500 * KR, "reason": "Two sessions."},
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["approved_ore"]) == (
        "partly_approved",
        7_500 * KR,
    )
    response = decider.post(
        decision_url(case, refused), {"outcome": "refuse", "reason": "Covered by the region."}
    )
    assert response.json()["status"] == "refused"
    assert response.json()["decision_reason"] == "Covered by the region."
    response = decider.post(
        decision_url(case, asked), {"outcome": "ask", "reason": "Send the quote, please."}
    )
    assert response.json()["status"] == "info_requested"
    assert response.json()["version"] == 2
    assert response.json()["actions"]["decide"] is True  # may decide without the answer

    applicant = PoolApi(world.member_a)
    detail = applicant.get(decision_url(case, asked, "")).json()
    assert detail["actions"]["answer"] is True
    response = applicant.post(
        decision_url(case, asked, "/answer"), {"answer": "Attached.", "expected_version": 2}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    assert [e["kind"] for e in response.json()["events"]] == ["submitted", "ask", "answer"]


def test_not_enough_budget_is_409_with_the_clear_message_and_changes_nothing(world, pool, case):
    add_entry(world, pool, "reallocation", 20_000, "Frame.", to_category="tattoo_removal")
    make_grant(world, case, amount_kr=15_000)
    over = make_application(world, case, amount_kr=8_000)
    before = pool_state()
    response = PoolApi(world.decision_maker).post(decision_url(case, over), {"outcome": "approve"})
    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"Not enough budget left: 5.000,00 kr. is available for Tattoo removal in {this_year()}."
    )
    assert pool_state() == before
    # Approving part of it, within what is left, works.
    partly = PoolApi(world.decision_maker).post(
        decision_url(case, over),
        {"outcome": "approve_partly", "amount_ore": 5_000 * KR, "reason": "What is left."},
    )
    assert partly.status_code == 200
    assert CategoryFrame.objects.get(category="tattoo_removal").available_ore == 0


def test_a_stale_version_is_409_and_changes_nothing(world, case):
    application = make_application(world, case)
    before = pool_state()
    response = PoolApi(world.decision_maker).post(
        decision_url(case, application), {"outcome": "approve", "expected_version": 7}
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.json()["detail"]
    assert pool_state() == before


def test_deciding_a_decided_application_is_409_like_a_stale_version(world, case):
    decided = make_grant(world, case, amount_kr=1_000, category="moving")
    before = pool_state()
    response = PoolApi(world.decision_maker).post(
        decision_url(case, decided), {"outcome": "approve"}
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": "The application has already been decided.",
        "code": "status",
    }
    assert pool_state() == before


@pytest.mark.parametrize(
    "body",
    [
        {"outcome": "approve_partly", "amount_ore": 10_000 * KR, "reason": "Not less."},
        {"outcome": "approve_partly", "reason": "No amount."},
        {"outcome": "refuse"},  # no reason
        {"outcome": "ask", "reason": ""},
        {"outcome": "maybe"},
        {"outcome": "approve_partly", "amount_ore": 500.25, "reason": "Float."},
        {"outcome": "approve", "expected_version": 0},
    ],
)
def test_bad_decisions_are_422_and_change_nothing(world, case, body):
    application = make_application(world, case, amount_kr=10_000)
    before = pool_state()
    response = PoolApi(world.decision_maker).post(decision_url(case, application), body)
    assert response.status_code == 422, response.content
    assert pool_state() == before


def test_withdraw_and_not_once_decided(world, case):
    open_one = make_application(world, case)
    decided = make_grant(world, case, amount_kr=1_000, category="moving")
    client = PoolApi(world.member_a)
    response = client.post(decision_url(case, open_one, "/withdraw"), {"reason": "Not needed."})
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    before = pool_state()
    # A step the application's state does not allow is a conflict (409), like a stale version.
    response = client.post(decision_url(case, decided, "/withdraw"), {"reason": "Too late."})
    # The state table does not allow it: 409 with the reason, like a case's illegal step.
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Only an undecided application can be withdrawn.",
        "code": "status",
    }
    answer = client.post(decision_url(case, decided, "/answer"), {"answer": "Nobody asked."})
    assert answer.status_code == 409
    assert client.post(decision_url(case, open_one, "/withdraw"), {}).status_code == 422
    assert pool_state() == before


# --- Payments and releases --------------------------------------------------------------------


def test_pay_in_parts_never_above_the_approval(world, pool, case):
    grant = make_grant(world, case, amount_kr=10_000)
    client = PoolApi(world.head)
    url = decision_url(case, grant, "/payments")
    body = {"paid_on": today(), "amount_ore": 6_000 * KR, "invoice_reference": "F-100"}
    response = client.post(url, body)
    assert response.status_code == 201, response.content
    assert response.json()["amount_ore"] == 6_000 * KR
    assert response.json()["created_by"] == world.head.full_name
    before = pool_state()
    too_much = client.post(url, {**body, "amount_ore": 4_000 * KR + 1})
    assert too_much.status_code == 422
    assert too_much.json()["detail"][0]["type"] == "over_approved"
    assert pool_state() == before
    rest = client.post(url, {**body, "amount_ore": 4_000 * KR})
    assert rest.status_code == 201
    assert BudgetYear.objects.get(pk=pool.pk).paid_ore == 10_000 * KR
    detail = client.get(decision_url(case, grant, "")).json()
    assert [p["amount_ore"] for p in detail["payments"]] == [6_000 * KR, 4_000 * KR]
    assert detail["unpaid_ore"] == 0
    assert detail["actions"]["pay"] is False


@pytest.mark.parametrize(
    "overrides",
    [
        {"paid_on": (timezone.localdate() + timedelta(days=1)).isoformat()},
        {"paid_on": "1999-12-31"},
        {"amount_ore": 100.5},
        {"invoice_reference": ""},
        {"invoice_reference": "x" * 101},
    ],
)
def test_bad_payments_are_422_and_change_nothing(world, case, overrides):
    grant = make_grant(world, case, amount_kr=1_000)
    before = pool_state()
    body = {"paid_on": today(), "amount_ore": 100 * KR, "invoice_reference": "F-1", **overrides}
    response = PoolApi(world.head).post(decision_url(case, grant, "/payments"), body)
    assert response.status_code == 422, response.content
    assert pool_state() == before


def test_no_payment_on_an_undecided_application(world, case):
    application = make_application(world, case)
    before = pool_state()
    response = PoolApi(world.decision_maker).post(
        decision_url(case, application, "/payments"),
        {"paid_on": today(), "amount_ore": 100, "invoice_reference": "F-1"},
    )
    assert response.status_code == 409
    assert pool_state() == before
    assert not Payment.objects.exists()


def test_release_part_then_the_rest(world, pool, case):
    grant = make_grant(world, case, amount_kr=10_000)
    client = PoolApi(world.head)
    url = decision_url(case, grant, "/release")
    before = pool_state()
    too_much = client.post(url, {"reason": "Ended.", "amount_ore": 10_000 * KR + 1})
    assert too_much.status_code == 422
    assert client.post(url, {"amount_ore": 100}).status_code == 422  # no reason
    assert pool_state() == before
    part = client.post(url, {"reason": "One session less.", "amount_ore": 2_000 * KR})
    assert part.status_code == 200, part.content
    assert (part.json()["released_ore"], part.json()["committed_ore"]) == (2_000 * KR, 8_000 * KR)
    rest = client.post(url, {"reason": "Treatment ended."})
    assert rest.json()["released_ore"] == 10_000 * KR
    assert BudgetYear.objects.get(pk=pool.pk).committed_ore == 0


# --- Documents ------------------------------------------------------------------------------


def test_attach_a_pdf_and_an_image_and_fetch_them(world, case):
    application = make_application(world, case)
    url = decision_url(case, application, "/attachments")
    response = PoolApi(world.member_a).upload(url, kind="quote", name="tilbud.pdf", data=PDF)
    assert response.status_code == 201, response.content
    pdf = response.json()
    assert (pdf["kind"], pdf["filename"], pdf["content_type"], pdf["size"]) == (
        "quote",
        "tilbud.pdf",
        "application/pdf",
        len(PDF),
    )
    # The pool's own staff attach the invoice; a PNG named .pdf is stored as what it is.
    image = png()
    response = PoolApi(world.head).upload(url, kind="invoice", name="faktura.pdf", data=image)
    assert response.status_code == 201, response.content
    assert (response.json()["content_type"], response.json()["filename"]) == (
        "image/png",
        "faktura.png",
    )
    fetched = PoolApi(world.member_a).get(
        decision_url(case, application, f"/attachments/{response.json()['id']}")
    )
    assert fetched.content == image
    assert fetched["Content-Type"] == "image/png"
    detail = PoolApi(world.member_a).get(decision_url(case, application, "")).json()
    assert [a["filename"] for a in detail["attachments"]] == ["tilbud.pdf", "faktura.png"]


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("tilbud.pdf", b"<html><script>alert(1)</script></html>", "quote"),
        ("tilbud.pdf", b"%PDF-1.4 but never ends", "quote"),
        ("tom.pdf", b"", "quote"),
        ("tilbud.pdf", PDF, "receipt"),
    ],
)
def test_bad_documents_are_422_and_change_nothing(world, case, name, data, kind):
    application = make_application(world, case)
    before = pool_state()
    response = PoolApi(world.member_a).upload(
        decision_url(case, application, "/attachments"), kind=kind, name=name, data=data
    )
    assert response.status_code == 422, response.content
    assert pool_state() == before


@override_settings(VEJUD_POOL_ATTACHMENT_MAX_BYTES=1024)
def test_a_document_above_the_size_limit_is_422(world, case):
    application = make_application(world, case)
    big = PDF[:-6] + b" " * 2048 + b"\n%%EOF\n"
    before = pool_state()
    response = PoolApi(world.member_a).upload(
        decision_url(case, application, "/attachments"), kind="quote", name="big.pdf", data=big
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "too_large"
    assert pool_state() == before


def test_a_json_body_is_not_a_document(world, case):
    application = make_application(world, case)
    before = pool_state()
    response = PoolApi(world.member_a).post(
        decision_url(case, application, "/attachments"),
        {"kind": "quote", "file": "JVBERi0xLjQ="},
    )
    assert response.status_code == 422
    assert pool_state() == before


def test_no_documents_on_a_refused_application(world, case):
    application = make_application(world, case)
    PoolApi(world.decision_maker).post(
        decision_url(case, application), {"outcome": "refuse", "reason": "No."}
    )
    before = pool_state()
    response = PoolApi(world.member_a).upload(
        decision_url(case, application, "/attachments"), kind="quote", name="q.pdf", data=PDF
    )
    assert response.status_code == 409
    assert pool_state() == before


# --- The list -------------------------------------------------------------------------------


def test_the_list_pages_with_a_cursor_and_filters(world, case):
    ids = [make_application(world, case, amount_kr=1_000 + i).pk for i in range(5)]
    make_grant(world, case, amount_kr=500, category="moving")
    client = PoolApi(world.member_a)
    first = client.get("/api/v1/pool/applications", {"limit": 2, "status": "submitted"}).json()
    assert [i["id"] for i in first["items"]] == ids[::-1][:2]
    second = client.get(
        "/api/v1/pool/applications",
        {"limit": 2, "status": "submitted", "cursor": first["next_cursor"]},
    ).json()
    assert [i["id"] for i in second["items"]] == ids[::-1][2:4]
    moving = client.get("/api/v1/pool/applications", {"category": "moving"}).json()["items"]
    assert [i["status"] for i in moving] == [ApplicationStatus.APPROVED]
    year = client.get("/api/v1/pool/applications", {"year": this_year() - 1}).json()
    assert year["items"] == [] and year["next_cursor"] is None
    assert client.get("/api/v1/pool/applications", {"cursor": "bm9wZQ"}).status_code == 422
    for bad in ({"limit": 0}, {"status": "paid"}, {"case": "x"}, {"year": 1900}):
        assert client.get("/api/v1/pool/applications", bad).status_code == 422, bad


def test_the_case_view_lists_applications_and_what_is_left(world, pool, case):
    add_entry(world, pool, "reallocation", 20_000, "Frame.", to_category="tattoo_removal")
    grant = make_grant(world, case, amount_kr=5_000)
    data = PoolApi(world.member_a).get(grants_url(case)).json()
    assert [a["id"] for a in data["applications"]] == [grant.pk]
    assert data["year"] == this_year()
    assert data["year_available_ore"] == 95_000 * KR
    tattoo = next(a for a in data["availability"] if a["category"] == "tattoo_removal")
    assert (tattoo["frame_ore"], tattoo["available_ore"]) == (20_000 * KR, 15_000 * KR)
    assert data["can_apply"] is True
    assert PoolApi(world.adviser).get(grants_url(case)).json()["can_apply"] is False


def test_guidelines_listed_for_units_in_force_first(world, pool):
    items = PoolApi(world.member_a).get("/api/v1/pool/guidelines").json()["items"]
    assert {g["category"] for g in items} == set(
        Guideline.objects.values_list("category", flat=True)
    )
    assert all(g["in_force"] for g in items)
    assert BudgetEntry.objects.count() == 1


def test_pool_choices_do_not_replace_another_apps_schema_components():
    """The pool's DecisionOutcome shares its class name with the case decisions' one; the
    OpenAPI document must keep both apart (one would otherwise describe the other's values)."""
    from vejud.api.api import api
    from vejud.decisions.models import DecisionOutcome as CaseDecisionOutcome
    from vejud.pool.models import ApplicationEvent, DecisionOutcome

    components = api.get_openapi_schema()["components"]["schemas"]
    assert components["DecisionOutcome"]["enum"] == list(CaseDecisionOutcome.values)
    assert components["DecisionIn"]["properties"]["outcome"]["enum"] == DecisionOutcome.values
    assert components["EventOut"]["properties"]["kind"]["enum"] == ApplicationEvent.Kind.values
