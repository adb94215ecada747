"""The pool's own pages: the national overview, the applications list, budgets, guidelines,
the chart and the year-end reports; who may open them and what each costs in queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from vejud.audit.models import AccessLog
from vejud.pool import views
from vejud.pool.models import (
    ApplicationStatus,
    BudgetEntry,
    BudgetYear,
    Category,
    EntryKind,
    Guideline,
)
from vejud.pool.services import application_decide, budget_entry_add, payment_register
from vejud.testing import CAST, verified_client
from vejud.testing.pool import KR, make_application, make_grant, make_pool, make_pool_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(world):
    return make_pool(world, budget_kr=200_000)


def year_url(name, year):
    return reverse(f"pool:{name}", kwargs={"year": year})


# --- Gates ----------------------------------------------------------------------------------

# Everyone who works on cases: both units, the national point and custody.
CASEWORK = {*CAST} - {"mentor", "analyst", "sysadmin", "auditor"}
ALLOWED = {
    "overview": {"adviser", "decision_maker", "head", "analyst"},
    "applications": CASEWORK,
    "budget": {"decision_maker", "head"},
    "guidelines": CASEWORK,
    "guideline_new": {"decision_maker", "head"},
    "chart": {"adviser", "decision_maker", "head", "analyst"},
    "report_xlsx": {"adviser", "decision_maker", "head", "analyst"},
    "report_pdf": {"adviser", "decision_maker", "head", "analyst"},
}
USERS = (*CAST, "nobody")


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_pool_pages_answer_each_role(world, pool, name):
    """Allowed roles get the page; every other role gets 403."""
    path = year_url(name, pool.year) if name in {"chart", "report_xlsx", "report_pdf"} else None
    path = path or reverse(f"pool:{name}")
    for user in USERS:
        response = verified_client(world.users[user]).get(path)
        expected = 200 if user in ALLOWED[name] else 403
        assert response.status_code == expected, (user, response.status_code)


@pytest.mark.parametrize("name", ["chart", "report_xlsx", "report_pdf"])
def test_year_without_a_budget_is_404(world, pool, name):
    response = verified_client(world.analyst).get(year_url(name, 2150))
    assert response.status_code == 404


def test_anonymous_is_sent_to_sign_in(client, pool):
    response = client.get(reverse("pool:overview"))
    assert response.status_code == 302 and "/konto/log-ind/" in response["Location"]


def test_navigation_offers_the_pool_by_role(world, pool):
    unit = verified_client(world.member_a).get(reverse("pool:applications")).content.decode()
    assert reverse("pool:applications") in unit and f'href="{reverse("pool:overview")}"' not in unit
    analyst = verified_client(world.analyst).get(reverse("pool:overview")).content.decode()
    assert f'href="{reverse("pool:applications")}"' not in analyst
    decider = verified_client(world.decision_maker).get(reverse("pool:applications"))
    # One current page in each menu: the desktop menu and the mobile menu.
    assert decider.content.decode().count('aria-current="page"') == 2


# --- The overview ---------------------------------------------------------------------------


def _spend(world):
    """Two grants and a pending application on two cases of unit A, one grant of unit B."""
    case_a = make_pool_case(world)
    case_b = make_pool_case(world, unit="b", first_name="Bee")
    grant = make_grant(world, case_a, amount_kr=10_000, category=Category.PSYCHOLOGIST)
    make_grant(world, case_b, amount_kr=4_000)
    pending = make_application(world, case_a, amount_kr=3_000)
    payment_register(
        actor=world.head,
        application=grant,
        paid_on=timezone.localdate(),
        amount_ore=2_500 * KR + 50,
        invoice_reference="F-1",
    )
    return case_a, case_b, pending


def test_overview_totals_per_category_unit_and_month(world, pool):
    case_a, case_b, _pending = _spend(world)
    response = verified_client(world.adviser).get(reverse("pool:overview"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<dd data-figure="budget">200.000,00 kr.</dd>' in html
    assert '<dd data-figure="committed">14.000,00 kr.</dd>' in html
    assert '<dd data-figure="paid">2.500,50 kr.</dd>' in html
    assert '<dd data-figure="available">186.000,00 kr.</dd>' in html
    assert '<dd data-figure="pending">3.000,00 kr.</dd>' in html
    assert world.unit_a.name in html and world.unit_b.name in html
    assert reverse("pool:chart", kwargs={"year": pool.year}) in html
    assert reverse("pool:report_xlsx", kwargs={"year": pool.year}) in html
    # National roles see (and are logged for) the figures per case.
    assert case_a.reference in html and case_b.reference in html
    logged = AccessLog.objects.filter(user=world.adviser, part="grants")
    assert set(logged.values_list("case_id", flat=True)) == {case_a.pk, case_b.pk}


def test_analyst_sees_aggregates_only(world, pool):
    case_a, case_b, _pending = _spend(world)
    html = verified_client(world.analyst).get(reverse("pool:overview")).content.decode()
    assert '<dd data-figure="committed">14.000,00 kr.</dd>' in html
    assert case_a.reference not in html and case_b.reference not in html
    assert "PUL-" not in html and "Per case" not in html
    assert case_a.person.last_name not in html
    assert not AccessLog.objects.filter(user=world.analyst).exists()


def test_overview_chooses_the_year(world, pool):
    client = verified_client(world.head)
    other = client.get(reverse("pool:overview"), {"year": "2150"}).content.decode()
    assert "The pool has no budget for 2150." in other
    html = client.get(reverse("pool:overview"), {"year": str(pool.year)}).content.decode()
    assert f'<option value="{pool.year}" selected>' in html


def test_overview_query_count_does_not_grow_with_cases(world, pool):
    client = verified_client(world.adviser)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("pool:overview")).status_code == 200
        return len(queries)

    for i in range(2):
        make_grant(world, make_pool_case(world, first_name=f"A{i}"), amount_kr=1_000)
    client.get(reverse("pool:overview"))
    few = count()
    for i in range(12):
        make_grant(world, make_pool_case(world, first_name=f"B{i}"), amount_kr=1_000)
    assert count() == few


def test_chart_is_a_script_free_svg_with_its_own_style_policy(world, pool):
    _spend(world)
    response = verified_client(world.analyst).get(year_url("chart", pool.year))
    svg = response.content.decode()
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "<script" not in svg.lower()
    assert "2.500" in svg  # the month's bar, in whole kroner
    assert "'unsafe-inline'" in response["Content-Security-Policy"]


# --- The applications list ------------------------------------------------------------------


def test_applications_list_shows_own_cases_only(world, pool):
    case_a, case_b, pending = _spend(world)
    html = verified_client(world.member_b).get(reverse("pool:applications")).content.decode()
    assert case_b.reference in html and case_a.reference not in html
    assert pending.reference not in html
    assert "Available in" in html and "186.000,00 kr." in html
    logged = AccessLog.objects.filter(user=world.member_b, part="grants")
    assert set(logged.values_list("case_id", flat=True)) == {case_b.pk}


def test_applications_list_filters(world, pool):
    _case_a, _case_b, pending = _spend(world)
    client = verified_client(world.member_a)
    html = client.get(
        reverse("pool:applications"), {"status": ApplicationStatus.SUBMITTED}
    ).content.decode()
    assert pending.reference in html and html.count("PUL-") == 1
    html = client.get(
        reverse("pool:applications"), {"category": Category.PSYCHOLOGIST}
    ).content.decode()
    assert html.count("PUL-") == 1 and pending.reference not in html
    html = client.get(reverse("pool:applications"), {"year": "2150"}).content.decode()
    assert html.count("PUL-") == 2  # not a year with a budget: reported and ignored
    assert 'id="id_year_error"' in html
    html = client.get(reverse("pool:applications"), {"year": str(pool.year)}).content.decode()
    assert html.count("PUL-") == 2


def test_applications_list_htmx_returns_the_results_only(world, pool):
    _spend(world)
    response = verified_client(world.member_a).get(
        reverse("pool:applications"),
        {"status": "submitted"},
        headers={"HX-Request": "true", "HX-Target": "application-results"},
    )
    html = response.content.decode()
    assert html.startswith('<div id="application-results"') and "<html" not in html


def test_applications_list_pages(world, pool, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    case = make_pool_case(world)
    made = [make_application(world, case, amount_kr=100 + i) for i in range(5)]
    client = verified_client(world.member_a)
    first = client.get(reverse("pool:applications"))
    html = first.content.decode()
    assert made[4].reference in html and made[3].reference in html and made[2].reference not in html
    second = client.get(reverse("pool:applications"), {"after": made[3].pk}).content.decode()
    assert made[2].reference in second and made[1].reference in second
    assert "First page" in second and "Next page" in second


def test_applications_list_query_count_does_not_grow(world, pool):
    client = verified_client(world.member_a)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("pool:applications")).status_code == 200
        return len(queries)

    case = make_pool_case(world)
    for i in range(3):
        make_application(world, case, amount_kr=100 + i)
    client.get(reverse("pool:applications"))
    few = count()
    for i in range(30):
        other = make_pool_case(world, first_name=f"Q{i}")
        grant = make_application(world, other, amount_kr=200 + i)
        if i % 2:
            application_decide(actor=world.decision_maker, application=grant, outcome="approve")
    assert count() == few


def test_case_grants_query_count_does_not_grow(world, pool):
    case = make_pool_case(world)
    client = verified_client(world.member_a)
    path = reverse("pool:case_grants", kwargs={"reference": case.reference})

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    make_application(world, case, amount_kr=100)
    client.get(path)
    few = count()
    for i in range(20):
        make_application(world, case, amount_kr=200 + i)
    assert count() == few


# --- Budgets and guidelines -----------------------------------------------------------------


def test_open_a_year_and_add_entries(world, pool):
    client = verified_client(world.head)
    response = client.post(
        reverse("pool:budget"),
        {
            "form": "year",
            "year-year": "2150",
            "year-amount": "2.000.000",
            "year-reason": "Finanslov",
        },
    )
    assert response.status_code == 302
    assert BudgetYear.objects.get(year=2150).budget_ore == 2_000_000 * KR
    path = f"{reverse('pool:budget')}?year=2150"
    response = client.post(
        path,
        {
            "form": "entry",
            "entry-kind": EntryKind.REALLOCATION,
            "entry-amount": "300.000",
            "entry-from_category": "",
            "entry-to_category": Category.RELOCATION,
            "entry-reason": "Frame for safehouses.",
        },
    )
    assert response.status_code == 302
    html = client.get(path).content.decode()
    assert "Frame for safehouses." in html and "300.000,00 kr." in html
    response = client.post(
        path,
        {
            "form": "entry",
            "entry-kind": EntryKind.REDUCTION,
            "entry-amount": "400.000",
            "entry-from_category": Category.RELOCATION,
            "entry-to_category": "",
            "entry-reason": "Too much.",
        },
    )
    assert response.status_code == 200
    assert 'id="id_entry-from_category_error"' in response.content.decode()
    assert BudgetEntry.objects.filter(budget_year__year=2150).count() == 2


def test_opening_a_year_twice_is_a_form_error_answered_409(world, pool):
    response = verified_client(world.head).post(
        reverse("pool:budget"),
        {"form": "year", "year-year": str(pool.year), "year-amount": "1", "year-reason": "Again"},
    )
    assert response.status_code == 409  # a conflict, shown in the form (vejud.core.errors)
    assert "There is already a budget" in response.content.decode()


def test_guidelines_page_and_publishing(world, pool):
    html = verified_client(world.member_a).get(reverse("pool:guidelines")).content.decode()
    assert "Guideline for Tattoo removal." in html and "Publish a guideline" not in html
    client = verified_client(world.head)
    start = date(timezone.localdate().year, 12, 31)
    response = client.post(
        reverse("pool:guideline_new"),
        {
            "category": Category.TATTOO_REMOVAL,
            "description": "Laser removal of visible gang tattoos.",
            "cap_per_grant": "15.000",
            "cap_per_person_year": "10.000",
            "required_documentation": "A quote.",
            "valid_from": start.isoformat(),
        },
    )
    assert response.status_code == 200
    assert 'id="id_cap_per_person_year_error"' in response.content.decode()
    response = client.post(
        reverse("pool:guideline_new"),
        {
            "category": Category.TATTOO_REMOVAL,
            "description": "Laser removal of visible gang tattoos.",
            "cap_per_grant": "15.000",
            "cap_per_person_year": "30.000,50",
            "required_documentation": "A quote.",
            "valid_from": start.isoformat(),
        },
    )
    assert response.status_code == 302
    latest = Guideline.objects.filter(category=Category.TATTOO_REMOVAL).order_by("-valid_from")[0]
    assert (latest.cap_per_grant_ore, latest.cap_per_person_year_ore) == (1_500_000, 3_000_050)
    html = client.get(reverse("pool:guidelines")).content.decode()
    assert "Earlier and coming guidelines" in html and "30.000,50 kr." in html


def test_budget_entry_by_the_service_shows_on_the_budget_page(world, pool):
    budget_entry_add(
        actor=world.decision_maker,
        budget_year=pool,
        kind=EntryKind.ALLOCATION,
        amount_ore=1_234_567,
        to_category=Category.MOVING,
        reason="Extra for moving.",
    )
    html = verified_client(world.decision_maker).get(reverse("pool:budget")).content.decode()
    assert "12.345,67 kr." in html and "Extra for moving." in html
