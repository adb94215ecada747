"""The grant application's state table: the services allow exactly its transitions, the
database refuses statuses and decision fields that no transition can produce."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from vejud.access.rules import Capability
from vejud.audit.services import audited
from vejud.pool.models import Application, ApplicationStatus
from vejud.pool.services import application_answer, application_decide, application_withdraw
from vejud.pool.states import (
    TABLE,
    TERMINAL,
    TRANSITIONS,
    IllegalApplicationTransition,
    check_transition,
    transitions_from,
)
from vejud.testing.pool import make_application, make_pool, make_pool_case

S = ApplicationStatus

pytestmark = pytest.mark.django_db


def test_the_table_names_every_status_and_ends_in_the_decided_ones():
    assert {S.APPROVED, S.PARTLY_APPROVED, S.REFUSED, S.WITHDRAWN} == TERMINAL
    reachable = {t.target for t in TABLE} | {S.SUBMITTED}
    assert reachable == set(ApplicationStatus)
    applicant = [t.target for t in transitions_from(S.INFO_REQUESTED, Capability.APPLY_GRANTS)]
    assert applicant == [S.SUBMITTED, S.WITHDRAWN]


@pytest.mark.parametrize(("source", "target"), list(itertools.product(S, S)))
def test_check_transition_allows_exactly_the_table(source, target):
    if (source, target) in TRANSITIONS:
        assert check_transition(source, target) is TRANSITIONS[(source, target)]
    else:
        with pytest.raises(IllegalApplicationTransition) as raised:
            check_transition(source, target)
        assert raised.value.code == "status"


def _to(world: Any, application: Application, status: ApplicationStatus) -> Application:
    """Bring a submitted application to ``status`` through the services."""
    decider = world.decision_maker
    steps: dict[ApplicationStatus, Callable[[], Application]] = {
        S.SUBMITTED: lambda: application,
        S.INFO_REQUESTED: lambda: application_decide(
            actor=decider, application=application, outcome="ask", reason="Which clinic?"
        ),
        S.APPROVED: lambda: application_decide(
            actor=decider, application=application, outcome="approve"
        ),
        S.PARTLY_APPROVED: lambda: application_decide(
            actor=decider,
            application=application,
            outcome="approve_partly",
            amount_ore=application.amount_ore // 2,
            reason="Half.",
        ),
        S.REFUSED: lambda: application_decide(
            actor=decider, application=application, outcome="refuse", reason="No."
        ),
        S.WITHDRAWN: lambda: application_withdraw(
            actor=world.member_a, application=application, reason="Not needed."
        ),
    }
    return steps[status]()


def _attempts(world: Any) -> dict[ApplicationStatus, Callable[[Application], Any]]:
    decider = world.decision_maker
    return {
        S.SUBMITTED: lambda a: application_answer(
            actor=world.member_a, application=a, answer="Ok."
        ),
        S.WITHDRAWN: lambda a: application_withdraw(
            actor=world.member_a, application=a, reason="x"
        ),
        S.INFO_REQUESTED: lambda a: application_decide(
            actor=decider, application=a, outcome="ask", reason="More?"
        ),
        S.APPROVED: lambda a: application_decide(actor=decider, application=a, outcome="approve"),
        S.PARTLY_APPROVED: lambda a: application_decide(
            actor=decider, application=a, outcome="approve_partly", amount_ore=100, reason="Some."
        ),
        S.REFUSED: lambda a: application_decide(
            actor=decider, application=a, outcome="refuse", reason="No."
        ),
    }


@pytest.mark.parametrize("source", list(S))
def test_the_services_make_exactly_the_table_s_transitions(world, source):
    make_pool(world, budget_kr=100_000)
    case = make_pool_case(world)
    for target, attempt in _attempts(world).items():
        application = _to(world, make_application(world, case, amount_kr=1_000), source)
        application.refresh_from_db()
        before = (application.status, application.version, application.events.count())
        if (source, target) in TRANSITIONS:
            assert attempt(application).status == target, (source, target)
        else:
            with pytest.raises(IllegalApplicationTransition):
                attempt(application)
            application.refresh_from_db()
            after = (application.status, application.version, application.events.count())
            assert after == before, (source, target)


def test_the_database_refuses_an_unknown_status(world):
    make_pool(world, budget_kr=100_000)
    application = make_application(world, make_pool_case(world))
    with pytest.raises(IntegrityError), transaction.atomic(), audited():
        Application.objects.filter(pk=application.pk).update(status="paid")


@pytest.mark.parametrize("status", [S.APPROVED, S.PARTLY_APPROVED, S.REFUSED])
def test_the_database_refuses_a_decision_without_decider(world, status):
    make_pool(world, budget_kr=100_000)
    application = make_application(world, make_pool_case(world))
    with pytest.raises(IntegrityError), transaction.atomic(), audited():
        Application.objects.filter(pk=application.pk).update(
            status=status, approved_ore=application.amount_ore // 2, decision_reason="x"
        )


def test_the_database_refuses_decision_fields_on_an_open_application(world):
    make_pool(world, budget_kr=100_000)
    application = make_application(world, make_pool_case(world))
    refused = _to(world, make_application(world, application.case), S.REFUSED)
    with pytest.raises(IntegrityError), transaction.atomic(), audited():
        Application.objects.filter(pk=application.pk).update(
            decided_by=refused.decided_by, decided_at=refused.decided_at
        )
    with pytest.raises(IntegrityError), transaction.atomic(), audited():
        Application.objects.filter(pk=refused.pk).update(decision_reason="")
