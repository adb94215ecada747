"""Grants from the central pool on bulk cases: applications, decisions and payments.

Bulk grants go only to years the pool has no budget for yet (the showcase budgets its
own two years, with frames and a story the bulk data must not disturb). Each such year
gets a budget year when the bulk run starts and, at the end, one allocation that covers
what was committed, with the year's committed and paid totals set from its grants.
Older years get guidelines of their own, ending where the showcase's begin.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from random import Random
from typing import Any

from django.db import transaction

from vejud.audit.guard import MODE_AUDIT_SCOPE, MODE_CLOSED, set_write_mode
from vejud.demo import showcase as demo
from vejud.demo.bulk.state import CaseState
from vejud.demo.bulk.writer import (
    DAY_US,
    Batch,
    BulkWriter,
    Clock,
    IdSource,
    Labels,
    Sink,
    Table,
    canonical_json,
    date_of,
    day_number,
)
from vejud.pool.models import (
    Application,
    ApplicationEvent,
    BudgetEntry,
    BudgetYear,
    Category,
    Guideline,
    Payment,
)

BUDGET_YEAR = Table(
    BudgetYear,
    ("id", "year", "budget_ore", "committed_ore", "paid_ore", "created_by_id", "created_at"),
)
GUIDELINE = Table(
    Guideline,
    (
        "id", "category", "description", "cap_per_grant_ore", "cap_per_person_year_ore",
        "required_documentation", "valid_from", "valid_to", "created_by_id", "created_at",
    ),
)  # fmt: skip
APPLICATION = Table(
    Application,
    (
        "id", "case_id", "applying_unit_id", "budget_year_id", "category", "guideline_id",
        "plan_action_id", "amount_ore", "purpose", "supplier", "period_from", "period_to",
        "over_cap", "over_cap_reason", "status", "approved_ore", "paid_ore", "released_ore",
        "decision_reason", "decided_by_id", "decided_at", "submitted_by_id", "submitted_at",
        "updated_at", "version",
    ),
)  # fmt: skip
APPLICATION_EVENT = Table(
    ApplicationEvent, ("id", "application_id", "kind", "amount_ore", "text", "actor_id", "at")
)
PAYMENT = Table(
    Payment,
    ("id", "application_id", "paid_on", "amount_ore", "invoice_reference", "created_by_id",
     "created_at"),
)  # fmt: skip
ENTRY = Table(
    BudgetEntry,
    (
        "id", "budget_year_id", "kind", "amount_ore", "from_category", "to_category", "reason",
        "created_by_id", "created_at",
    ),
)  # fmt: skip
GRANT_TABLES = (BUDGET_YEAR, GUIDELINE, APPLICATION, APPLICATION_EVENT, PAYMENT, ENTRY)

GRANT_SHARE = 0.25  # of exit courses: one application to the pool
CATEGORY_WEIGHTS = {"tattoo_removal": 30, "psychologist": 25, "moving": 20, "relocation": 15,
                    "other": 10}  # fmt: skip
PARTLY_REASON = "Bevilget op til det sædvanlige niveau for kategorien."
REFUSE_REASON = "Udgiften kan dækkes af kommunen efter serviceloven."
ALLOCATION_REASON = "Årets bevilling til puljen (syntetiske demodata)."


class GrantSteps:
    """The grant part of the generator (mixed into ``Generator``)."""

    grant_years: dict[int, int]  # year -> budget year id, for the years the bulk budgets
    grant_totals: dict[int, list[int]]  # year -> [committed, paid]
    guidelines: dict[str, list[tuple[int, date, date | None, int]]]
    head: int
    # What the generator provides.
    batch: Batch
    next_id: dict[str, IdSource]
    clock: Clock
    staff: dict[str, int]
    first_day: int
    last_day: int
    full_audit: bool
    rand: Callable[[], float]
    ri: Callable[[int, int], int]
    rng: Random
    decision_maker: int
    writer: BulkWriter
    sink: Sink | None
    labels: Labels
    event: Callable[..., None]

    def grants_setup(self) -> None:
        """Budget years for the years without one, and guidelines for the years before the
        earliest guideline, written in the first batch."""
        self.grant_years: dict[int, int] = {}
        self.grant_totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        self.head = self.staff["head"]
        taken = set(BudgetYear.objects.values_list("year", flat=True))
        first_year = date_of(self.first_day).year
        clock = self.clock
        t = self.first_day * DAY_US + 8 * 3600 * 1_000_000
        for year in range(first_year, date_of(self.last_day).year + 1):
            if year in taken:
                continue
            pk = self.next_id[BUDGET_YEAR.name]()
            self.grant_years[year] = pk
            at = max(t, day_number(date(year, 1, 2)) * DAY_US + 8 * 3600 * 1_000_000)
            self.batch.rows[BUDGET_YEAR.name].append((pk, year, 0, 0, 0, self.head, clock.db(at)))
            if self.full_audit:
                self.grant_event(
                    at, self.head, "pool.year_create", BudgetYear, pk, f'{{"year":{year}}}'
                )
        existing: dict[str, list[tuple[int, date, date | None, int]]] = defaultdict(list)
        for row in Guideline.objects.values_list(
            "category", "pk", "valid_from", "valid_to", "cap_per_grant_ore"
        ):
            existing[row[0]].append((row[1], row[2], row[3], row[4]))
        self.guidelines = existing
        start = date(first_year, 1, 1)
        for category in Category.values:
            ours = existing[category]
            earliest = min((g[1] for g in ours), default=None)
            if earliest is not None and earliest <= start:
                continue
            text, cap, person_cap, documentation = demo.POOL_GUIDELINES.get(
                category, demo.POOL_GUIDELINES["other"]
            )
            pk = self.next_id[GUIDELINE.name]()
            valid_to = earliest - timedelta(days=1) if earliest is not None else None
            self.batch.rows[GUIDELINE.name].append(
                (pk, category, text, cap * 100, person_cap * 100, documentation,
                 start.isoformat(), valid_to.isoformat() if valid_to else None, self.head,
                 clock.db(t))
            )  # fmt: skip
            ours.append((pk, start, valid_to, cap * 100))
            if self.full_audit:
                self.grant_event(
                    t,
                    self.head,
                    "pool.guideline_publish",
                    Guideline,
                    pk,
                    canonical_json(
                        {
                            "id": pk,
                            "category": category,
                            "description": text,
                            "cap_per_grant_ore": cap * 100,
                            "cap_per_person_year_ore": person_cap * 100,
                            "required_documentation": documentation,
                            "valid_from": start.isoformat(),
                            "valid_to": valid_to.isoformat() if valid_to else None,
                            "created_by": self.head,
                            "created_at": clock.json(t),
                        }
                    ),
                )

    def grant_event(
        self, t: int, actor: int, action: str, model: Any, pk: int, changes: str
    ) -> None:
        self.batch.events.append(
            (t, actor, action, model._meta.label_lower, pk, None, None, changes, "")
        )

    def plan_grant(self, add: Any, start: int, end: int) -> None:
        """Maybe apply for a grant during the course (only in years the bulk budgets)."""
        if self.rand() >= GRANT_SHARE:
            return
        applied = start + self.ri(15, 150)
        if applied >= end or date_of(applied).year not in self.grant_years:
            return
        category = self.rng.choices(GRANT_CATEGORIES, cum_weights=GRANT_CUM_WEIGHTS)[0]
        guideline = self._guideline(category, applied)
        if guideline is None:
            return
        amount = max(1000, int(guideline[3] * (0.2 + 0.8 * self.rand())) // 10_000 * 10_000)
        roll = self.rand()
        outcome = "approve" if roll < 0.65 else "approve_partly" if roll < 0.8 else "refuse"
        approved = amount if outcome == "approve" else amount * 6 // 10 // 100 * 100
        if outcome == "refuse":
            approved = 0
        grant = {
            "applied": applied,
            "category": category,
            "guideline": guideline[0],
            "amount": amount,
            "approved": approved,
            "outcome": outcome,
            "period_to": applied + self.ri(30, 180),
        }
        add(applied, GRANT_APPLY, grant)
        decided = applied + self.ri(5, 25)
        add(decided, GRANT_DECIDE, grant)
        if approved:
            add(decided + self.ri(10, 60), GRANT_PAY, grant)

    def _guideline(self, category: str, day: int) -> tuple[Any, ...] | None:
        on = date_of(day)
        for guideline in self.guidelines.get(category, ()):
            if guideline[1] <= on and (guideline[2] is None or guideline[2] >= on):
                return guideline
        return None

    def settle_grant(self, state: CaseState, kind: int, t: int, args: Any) -> None:
        grant = args[0]
        if kind == GRANT_DECIDE:
            grant["decided"] = t
        elif kind == GRANT_PAY:
            grant["paid"] = t

    def s_grant_apply(self, state: CaseState, t: int, args: Any) -> None:
        grant = args[0]
        clock = self.clock
        rows = self.batch.rows
        pk = self.next_id[APPLICATION.name]()
        grant["id"] = pk
        year = date_of(t // DAY_US).year
        decided = grant.get("decided")
        paid = grant.get("paid")
        status = "submitted"
        approved = 0
        reason = ""
        if decided is not None:
            status = {
                "approve": "approved",
                "approve_partly": "partly_approved",
                "refuse": "refused",
            }[grant["outcome"]]
            approved = grant["approved"]
            reason = {"approve": "", "approve_partly": PARTLY_REASON, "refuse": REFUSE_REASON}[
                grant["outcome"]
            ]
        paid_ore = approved if paid is not None else 0
        category = grant["category"]
        purpose = demo.POOL_PURPOSES.get(category, demo.POOL_PURPOSES["other"])
        supplier = demo.POOL_SUPPLIERS.get(category, demo.POOL_SUPPLIERS["other"])
        period_from = clock.day(t // DAY_US)
        period_to = clock.day(grant["period_to"])
        decider = self.decision_maker
        last = max(x for x in (t, decided, paid) if x is not None)
        rows[APPLICATION.name].append(
            (pk, state.case_id, state.unit.id, self.grant_years[year], category,
             grant["guideline"], None, grant["amount"], purpose, supplier, period_from, period_to,
             False, "", status, approved, paid_ore, 0, reason,
             decider if decided is not None else None,
             clock.db(decided) if decided is not None else None, state.worker, clock.db(t),
             clock.db(last), 1 + (decided is not None) + (paid is not None))
        )  # fmt: skip
        self._application_event(pk, "submitted", grant["amount"], "", state.worker, t)
        if self.full_audit:
            self.event(
                t,
                state.worker,
                "pool.apply",
                "pool.application",
                pk,
                state,
                canonical_json(
                    {
                        "id": pk,
                        "case": state.case_id,
                        "applying_unit": state.unit.id,
                        "budget_year": self.grant_years[year],
                        "category": category,
                        "guideline": grant["guideline"],
                        "plan_action": None,
                        "amount_ore": grant["amount"],
                        "purpose": purpose,
                        "supplier": supplier,
                        "period_from": period_from,
                        "period_to": period_to,
                        "over_cap": False,
                        "over_cap_reason": "",
                        "status": "submitted",
                        "approved_ore": 0,
                        "paid_ore": 0,
                        "released_ore": 0,
                        "decision_reason": "",
                        "decided_by": None,
                        "decided_at": None,
                        "submitted_by": state.worker,
                        "submitted_at": clock.json(t),
                        "updated_at": clock.json(t),
                        "version": 1,
                    }
                ),
            )

    def _application_event(
        self,
        application: int,
        kind: str,
        amount: int | None,
        text: str,
        actor: int,
        t: int,
    ) -> None:
        pk = self.next_id[APPLICATION_EVENT.name]()
        self.batch.rows[APPLICATION_EVENT.name].append(
            (pk, application, kind, amount, text, actor, self.clock.db(t))
        )

    def s_grant_decide(self, state: CaseState, t: int, args: Any) -> None:
        grant = args[0]
        outcome, approved = grant["outcome"], grant["approved"]
        reason = {"approve": "", "approve_partly": PARTLY_REASON, "refuse": REFUSE_REASON}[outcome]
        self._application_event(
            grant["id"], outcome, approved or None, reason, self.decision_maker, t
        )
        year = date_of(grant_day(grant)).year
        self.grant_totals[year][0] += approved
        if self.full_audit:
            status = {
                "approve": "approved",
                "approve_partly": "partly_approved",
                "refuse": "refused",
            }[outcome]
            self.event(
                t,
                self.decision_maker,
                f"pool.{outcome}",
                "pool.application",
                grant["id"],
                state,
                canonical_json({"status": status, "approved_ore": approved, "reason": reason}),
            )

    def s_grant_pay(self, state: CaseState, t: int, args: Any) -> None:
        grant = args[0]
        clock = self.clock
        pk = self.next_id[PAYMENT.name]()
        paid_on = clock.day(t // DAY_US)
        invoice = f"FAK-{grant['id']:07d}"
        self.batch.rows[PAYMENT.name].append(
            (pk, grant["id"], paid_on, grant["approved"], invoice, self.head, clock.db(t))
        )
        self._application_event(grant["id"], "payment", grant["approved"], invoice, self.head, t)
        self.grant_totals[date_of(grant_day(grant)).year][1] += grant["approved"]
        if self.full_audit:
            self.event(
                t,
                self.head,
                "pool.payment",
                "pool.payment",
                pk,
                state,
                canonical_json(
                    {
                        "id": pk,
                        "application": grant["id"],
                        "paid_on": paid_on,
                        "amount_ore": grant["approved"],
                        "invoice_reference": invoice,
                        "created_by": self.head,
                        "created_at": clock.json(t),
                    }
                ),
            )

    def grants_finish(self) -> None:
        """Give each bulk year the allocation that covers its grants and set its totals."""
        if not self.grant_years:
            return
        clock = self.clock
        batch = Batch(rows={ENTRY.name: []})
        updates: list[tuple[int, int, int, int]] = []
        for year, pk in sorted(self.grant_years.items()):
            committed, paid = self.grant_totals[year]
            budget = max(1_000_000_00, -(-committed * 5 // 4 // 10_000_000) * 10_000_000)
            entry = self.next_id[ENTRY.name]()
            at = day_number(date(year, 1, 2)) * DAY_US + 9 * 3600 * 1_000_000
            at = max(at, self.first_day * DAY_US + 9 * 3600 * 1_000_000)
            batch.rows[ENTRY.name].append(
                (
                    entry,
                    pk,
                    "allocation",
                    budget,
                    "",
                    "",
                    ALLOCATION_REASON,
                    self.head,
                    clock.db(at),
                )
            )
            batch.events.append(
                (
                    self.last_day * DAY_US + 16 * 3600 * 1_000_000,
                    self.head,
                    "pool.budget_allocation",
                    "pool.budgetentry",
                    entry,
                    None,
                    None,
                    canonical_json(
                        {
                            "id": entry,
                            "budget_year": pk,
                            "kind": "allocation",
                            "amount_ore": budget,
                            "from_category": "",
                            "to_category": "",
                            "reason": ALLOCATION_REASON,
                            "created_by": self.head,
                            "created_at": clock.json(at),
                        }
                    ),
                    "",
                )
            )
            updates.append((budget, committed, paid, pk))
        writer = self.writer
        if self.sink is not None:
            self.sink.close()
            self.sink = None
        connection = writer.connection
        with transaction.atomic(using=writer.alias):
            writer.flush(batch, self.labels)
            set_write_mode(connection, MODE_AUDIT_SCOPE)
            try:
                with connection.cursor() as cursor:
                    cursor.executemany(
                        "UPDATE pool_budgetyear SET budget_ore = %s, committed_ore = %s,"
                        " paid_ore = %s WHERE id = %s",
                        updates,
                    )
                set_write_mode(connection, MODE_CLOSED)
            except BaseException:
                if connection.vendor == "sqlite":
                    connection.vejud_write_mode = MODE_CLOSED  # type: ignore[attr-defined]
                raise


def grant_day(grant: dict[str, Any]) -> int:
    """The day the application was made (its year is the budget year)."""
    return int(grant["applied"])


GRANT_APPLY, GRANT_DECIDE, GRANT_PAY = 25, 26, 27
GRANT_CATEGORIES = list(CATEGORY_WEIGHTS)
GRANT_CUM_WEIGHTS = [sum(list(CATEGORY_WEIGHTS.values())[: i + 1]) for i in range(5)]
