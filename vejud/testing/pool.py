"""Test data for the central pool, made through the real services."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from vejud.accounts.models import User
from vejud.cases.models import Case
from vejud.cases.services import case_transition
from vejud.pool.models import Application, BudgetEntry, BudgetYear, Category, Guideline, Payment
from vejud.pool.services import (
    application_decide,
    application_submit,
    budget_entry_add,
    budget_year_create,
    guideline_publish,
    payment_register,
)
from vejud.testing import World, give_consent, make_case

KR = 100  # øre per krone


def make_pool_case(world: World, unit: str = "a", **kwargs: Any) -> Case:
    """Return a case of unit A (or B) under assessment: grants can be applied for."""
    coordinator = world.users[f"coordinator_{unit}"]
    member = world.users[f"member_{unit}"]
    case = make_case(coordinator, getattr(world, f"unit_{unit}"), **kwargs)
    give_consent(member, case)
    return case_transition(actor=member, case=case, target="assessment")


def make_guidelines(
    world: World, *, cap_kr: int = 50_000, person_cap_kr: int = 100_000
) -> dict[str, Guideline]:
    """Publish a guideline for every category, in force since 1 January this year."""
    start = date(timezone.localdate().year, 1, 1)
    return {
        value: guideline_publish(
            actor=world.head,
            category=value,
            description=f"Guideline for {label}.",
            cap_per_grant_ore=cap_kr * KR,
            cap_per_person_year_ore=person_cap_kr * KR,
            required_documentation="A quote before, an invoice after.",
            valid_from=start,
        )
        for value, label in Category.choices
    }


def make_pool(world: World, *, budget_kr: int = 2_000_000, **caps: Any) -> BudgetYear:
    """Open this year's budget and publish guidelines for every category."""
    year = budget_year_create(
        actor=world.head,
        year=timezone.localdate().year,
        amount_ore=budget_kr * KR,
        reason="The year's appropriation.",
    )
    make_guidelines(world, **caps)
    return year


def make_application(
    world: World,
    case: Case,
    *,
    amount_kr: int = 10_000,
    category: str = Category.TATTOO_REMOVAL,
    actor: User | None = None,
    **kwargs: Any,
) -> Application:
    """Apply for a grant for ``case`` (by the case unit's member unless ``actor`` is given)."""
    today = timezone.localdate()
    unit_letter = "a" if case.responsible_unit_id == world.unit_a.pk else "b"
    return application_submit(
        actor=actor or world.users[f"member_{unit_letter}"],
        case=case,
        category=category,
        amount_ore=amount_kr * KR,
        purpose=kwargs.pop("purpose", "Removal of gang tattoos on both forearms."),
        supplier=kwargs.pop("supplier", "Klinik for Tatoveringsfjernelse ApS"),
        period_from=kwargs.pop("period_from", today),
        period_to=kwargs.pop("period_to", today),
        **kwargs,
    )


def make_grant(world: World, case: Case, *, amount_kr: int = 10_000, **kwargs: Any) -> Application:
    """Return an application approved in full by the national decision-maker."""
    application = make_application(world, case, amount_kr=amount_kr, **kwargs)
    return application_decide(
        actor=world.decision_maker, application=application, outcome="approve"
    )


def add_entry(
    world: World,
    year: BudgetYear,
    kind: str,
    amount_kr: int,
    reason: str,
    *,
    from_category: str = "",
    to_category: str = "",
) -> BudgetEntry:
    """The head of the national point books a budget entry of ``amount_kr`` kroner."""
    return budget_entry_add(
        actor=world.head,
        budget_year=year,
        kind=kind,
        amount_ore=amount_kr * KR,
        reason=reason,
        from_category=from_category,
        to_category=to_category,
    )


def pay(
    world: World, grant: Application, amount_kr: int, *, invoice: str, on: date | None = None
) -> Payment:
    """The head of the national point pays ``amount_kr`` kroner of a grant (today, or ``on``)."""
    return payment_register(
        actor=world.head,
        application=grant,
        paid_on=on or timezone.localdate(),
        amount_ore=amount_kr * KR,
        invoice_reference=invoice,
    )
