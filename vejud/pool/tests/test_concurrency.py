"""Simultaneous approvals never take the pool above its budget (PostgreSQL row locking)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from vejud.audit.models import AuditEvent
from vejud.audit.services import verify_chain
from vejud.pool.models import Application, ApplicationEvent, ApplicationStatus, BudgetYear
from vejud.pool.services import InsufficientBudget, application_decide
from vejud.testing.pool import KR, make_application, make_pool, make_pool_case

APPROVERS = 50
AMOUNT_KR = 5_000
BUDGET_KR = 100_000  # room for 20 of the 60


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_approvals_never_exceed_the_budget():
    if connection.vendor != "postgresql":
        pytest.skip("row locking under real concurrency is tested on PostgreSQL")
    from vejud.accounts.models import User
    from vejud.testing import make_world

    world = make_world()
    year = make_pool(world, budget_kr=BUDGET_KR, cap_kr=AMOUNT_KR, person_cap_kr=10 * BUDGET_KR)
    cases = [make_pool_case(world) for _ in range(6)]
    applications = [
        make_application(world, cases[i % len(cases)], amount_kr=AMOUNT_KR)
        for i in range(APPROVERS)
    ]
    audit_before = AuditEvent.objects.count()
    barrier = threading.Barrier(APPROVERS)
    results: dict[int, str] = {}
    lock = threading.Lock()

    def approve(application_pk: int) -> None:
        try:
            decider = User.objects.get(pk=world.decision_maker.pk)
            application = Application.objects.select_related("case").get(pk=application_pk)
            barrier.wait(timeout=60)
            try:
                application_decide(actor=decider, application=application, outcome="approve")
                outcome = "approved"
            except InsufficientBudget as exc:
                outcome = "loser: " + exc.messages[0]
            except Exception as exc:  # anything else is a failure of the test
                outcome = f"error: {type(exc).__name__}: {exc}"
            with lock:
                results[application_pk] = outcome
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(a.pk,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(results) == APPROVERS
    errors = [r for r in results.values() if r.startswith("error")]
    assert not errors, errors
    winners = [pk for pk, r in results.items() if r == "approved"]
    losers = [pk for pk, r in results.items() if r.startswith("loser")]
    assert len(winners) == BUDGET_KR // AMOUNT_KR
    assert len(losers) == APPROVERS - len(winners)
    assert all("Not enough budget left" in results[pk] for pk in losers)

    year.refresh_from_db()
    assert year.committed_ore == len(winners) * AMOUNT_KR * KR <= year.budget_ore
    assert BudgetYear.objects.get(pk=year.pk).committed_ore == sum(
        a.approved_ore for a in Application.objects.filter(budget_year=year)
    )
    # Nothing half-written: losers are untouched, winners complete, one audit record each.
    for application in Application.objects.filter(pk__in=losers):
        assert application.status == ApplicationStatus.SUBMITTED
        assert application.approved_ore == 0 and application.version == 1
    assert (
        ApplicationEvent.objects.filter(application_id__in=losers).exclude(kind="submitted").count()
        == 0
    )
    assert Application.objects.filter(
        pk__in=winners, status=ApplicationStatus.APPROVED
    ).count() == len(winners)
    assert AuditEvent.objects.count() - audit_before == len(winners)
    assert AuditEvent.objects.filter(action="pool.approve").count() == len(winners)
    assert verify_chain().ok
