"""Property-based API tests: schemathesis generates requests from our OpenAPI schema.

Every generated request (valid and invalid query/path values) must get no 5xx,
and every response must match the schema the API publishes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from vejud.accounts.tokens import token_create
from vejud.api.api import api
from vejud.assessments.services import motivation_save, suitability_save
from vejud.casedocs.services import document_add
from vejud.cases.models import Track
from vejud.cases.services import case_transition, journal_add, mentor_assign
from vejud.courses.services import action_add, goal_add, meeting_log, offer_add
from vejud.decisions.services import (
    information_request_create,
    referral_create,
    unit_decision_record,
)
from vejud.followup.services import review_record
from vejud.offers.models import OfferType
from vejud.testing import give_consent, make_admitted_case, make_assessed_case, make_case
from vejud.transfers.services import (
    release_date_set,
    release_plans_run,
    transfer_accept,
    transfer_request,
)
from vejud.wsgi import application

CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def bearer(world: Any) -> dict[str, str]:
    """Return the auth header of a unit-A member, with a few cases of theirs to find."""
    case = make_case(world.member_a, world.unit_a, first_name="Zelda", last_name="Quixwort")
    journal_add(actor=world.member_a, case=case, text="Met at the library.")
    mentor_assign(actor=world.member_a, case=case, mentor=world.mentor)
    make_case(world.member_a, world.unit_a, track=Track.CUSTODY, institution=world.prison)
    make_case(world.member_b, world.unit_b)
    _token, raw = token_create(user=world.member_a, name="schemathesis")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture(autouse=True)
def keep_test_connection() -> Iterator[None]:
    # The real WSGI handler runs close_old_connections at request start and finish, which on
    # PostgreSQL closes the test's connection and drops the transaction holding the fixture
    # data (STACK.md pitfall 4). Django's own test client disconnects it the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# Loaded eagerly from the API object (the same document /api/v1/openapi.json serves):
# schemathesis' lazy from_fixture loader uses a pytest node attribute pytest 9 removed.
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())


@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case: Any, bearer: dict[str, str]) -> None:
    case.call_and_validate(app=application, headers=bearer, checks=CHECKS)


def test_known_good_calls_conform(bearer: dict[str, str], world: Any) -> None:
    """Hit the 200 paths with real data too (random references nearly always 404)."""
    listing = schema["/api/v1/cases"]["GET"].Case(query={"limit": 1})
    response = listing.call_and_validate(app=application, headers=bearer, checks=CHECKS)
    assert response.status_code == 200
    page = response.json()
    assert page["next_cursor"]
    following = schema["/api/v1/cases"]["GET"].Case(
        query={"limit": 100, "cursor": page["next_cursor"]}
    )
    assert (
        following.call_and_validate(app=application, headers=bearer, checks=CHECKS).status_code
        == 200
    )
    for reference in [item["reference"] for item in page["items"]]:
        detail = schema["/api/v1/cases/{reference}"]["GET"].Case(
            path_parameters={"reference": reference}
        )
        assert (
            detail.call_and_validate(app=application, headers=bearer, checks=CHECKS).status_code
            == 200
        )
    me = schema["/api/v1/me"]["GET"].Case()
    assert (
        me.call_and_validate(app=application, headers=bearer, checks=CHECKS).json()["email"]
        == world.member_a.email
    )


def test_served_schema_is_the_one_tested(bearer: dict[str, str]) -> None:
    response = Client().get("/api/v1/openapi.json", headers=bearer)
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(api.get_openapi_schema()))


# --- The exit-process operations against real cases ----------------------------------------
#
# Random references nearly always answer 404 at the gate, so the bodies above never reach a
# service. Here each case-scoped operation gets real references (cases in assessment and a
# referred one) and tokens of roles that may act, and schemathesis generates the bodies:
# valid ones (which move the cases on) and invalid ones. None may end in a 5xx.

PROCESS_OPERATIONS = [
    (path, method.upper(), "requestBody" in operation)
    for path, operations in api.get_openapi_schema()["paths"].items()
    if path.startswith("/api/v1/cases/{reference}/")
    for method, operation in operations.items()
]


@pytest.fixture
def process_cases(world: Any) -> dict[str, Any]:
    """Return references, object ids and tokens: a case just in assessment, one with all
    instruments signed and a referred one."""
    assessing = make_case(world.member_a, world.unit_a, last_name="Assessing")
    give_consent(world.member_a, assessing)
    assessing = case_transition(actor=world.member_a, case=assessing, target="assessment")
    # Drafts to sign: a complete motivation and an incomplete suitability assessment.
    motivation_save(
        actor=world.member_a,
        case=assessing,
        push_factors=["disillusion"],
        pull_factors=["job"],
        own_explanation="Wants out.",
        motivation_kind="inner",
        level=3,
        reasoning="Clear.",
    )
    suitability_save(actor=world.member_a, case=assessing, steps_taken=2)
    assessed = make_assessed_case(world, last_name="Assessed")
    referred = make_assessed_case(world, last_name="Referred")
    unit_decision_record(
        actor=world.coordinator_a,
        case=referred,
        outcome="refuse",
        grounds=["not_suitable"],
        reasoning="Not ready.",
    )
    referral_create(actor=world.member_a, case=referred, note="He asks for it.")
    referred.refresh_from_db()
    question = information_request_create(
        actor=world.decision_maker, case=referred, question="Has he kept the appointments?"
    )
    course = _course_case(world)
    course_reference = course.pop("reference")
    released = _released_case(world)
    grants = _pool_objects(world, course_reference)
    return {
        "references": [
            assessing.reference,
            assessed.reference,
            referred.reference,
            course_reference,
            released,
        ],
        "consent_id": assessed.consents.get().pk,
        "request_id": question.pk,
        **course,
        **grants,
        "tokens": [
            token_create(user=world.users[name], name="schemathesis")[1]
            for name in ("member_a", "coordinator_a", "decision_maker", "mentor")
        ],
    }


def _course_case(world: Any) -> dict[str, Any]:
    """Return an admitted case's reference and the ids of its plan, offer, meeting, warning
    and pending transfer (issue 4: the course operations)."""
    case = make_admitted_case(world, last_name="Course")
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    today = timezone.localdate()
    goal = goal_add(actor=world.member_a, case=case, life_area="housing", goal="A flat.")
    action = action_add(
        actor=world.member_a,
        goal=goal,
        description="Apply.",
        owner_agency="municipality",
        deadline=today,
    )
    offer = offer_add(
        actor=world.member_a, case=case, offer_type=OfferType.objects.get(code="therapy")
    )
    meeting = meeting_log(
        actor=world.mentor,
        case=case,
        met_on=today,
        form="phone",
        duration_minutes=15,
        needs_attention=True,
    )
    review = review_record(
        actor=world.member_a,
        case=case,
        reviewed_on=today,
        crime_stopped=1,
        environment_left=1,
        lifestyle_changed=1,
        motivation_level=1,
    )
    transfer = transfer_request(
        actor=world.member_a, case=case, to_unit=world.unit_b, handover_note="Moves to B."
    )
    return {
        "reference": case.reference,
        "goal_id": goal.pk,
        "action_id": action.pk,
        "offer_id": offer.pk,
        "meeting_id": meeting.pk,
        "warning_id": review.warnings.get().pk,
        "transfer_id": transfer.pk,
        "document_id": document_add(
            actor=world.member_a,
            case=case,
            kind="report",
            title="Udtalelse",
            for_mentor=False,
            filename="u.pdf",
            data=b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
        ).pk,
    }


def _pool_objects(world: Any, reference: str) -> dict[str, Any]:
    """Open this year's pool and return the ids of an application awaiting decision on the
    case and of its document (issue 5: the grant operations)."""
    from vejud.cases.models import Case
    from vejud.pool.services import attachment_add
    from vejud.testing.pool import make_application, make_grant, make_pool

    make_pool(world, budget_kr=200_000)
    case = Case.objects.get(reference=reference)
    make_grant(world, case, amount_kr=5_000, category="moving")
    application = make_application(world, case, amount_kr=8_000)
    attachment = attachment_add(
        actor=world.member_a,
        application=application,
        kind="quote",
        filename="quote.pdf",
        data=b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    )
    return {"application_id": application.pk, "attachment_id": attachment.pk}


def _released_case(world: Any) -> str:
    """Return the reference of a custody case with a release date and a release plan."""
    case = make_admitted_case(world, last_name="Released")
    transfer = transfer_request(
        actor=world.member_a,
        case=case,
        to_unit=world.dfk,
        to_track=Track.CUSTODY,
        to_institution=world.prison,
        handover_note="Sentenced.",
    )
    transfer_accept(actor=world.custody, transfer=transfer)
    case.refresh_from_db()
    release_date_set(
        actor=world.custody, case=case, release_on=timezone.localdate() + timedelta(days=30)
    )
    release_plans_run()
    return case.reference


@pytest.mark.parametrize(
    ("path", "method", "mode"),
    [
        (path, method, mode)
        for path, method, has_body in PROCESS_OPERATIONS
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if has_body or mode == GenerationMode.POSITIVE
    ],
    ids=lambda value: str(value),
)
def test_process_operations_on_real_cases(
    path: str, method: str, mode: GenerationMode, process_cases: dict[str, Any]
) -> None:
    operation = schema[path][method]
    names = set(re.findall(r"\{(\w+)\}", path))

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        fixed = {"reference": data.draw(st.sampled_from(process_cases["references"]))}
        fixed.update({name: process_cases[name] for name in names - {"reference", "kind"}})
        token = data.draw(st.sampled_from(process_cases["tokens"]))
        case = data.draw(operation.as_strategy(generation_mode=mode, path_parameters=fixed))
        case.call_and_validate(
            app=application, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
        )

    run()


# --- Answering transfers (the receiver's side) ---------------------------------------------

RECEIVER_OPERATIONS = [
    (path, method.upper())
    for path, operations in api.get_openapi_schema()["paths"].items()
    if path.startswith("/api/v1/transfers/")
    for method in operations
]


@pytest.fixture
def incoming(world: Any) -> dict[str, Any]:
    """Return a pending transfer to unit B and tokens of its receivers and of a non-receiver."""
    course = _course_case(world)
    return {
        "transfer_id": course["transfer_id"],
        "tokens": [
            token_create(user=world.users[name], name="schemathesis")[1]
            for name in ("member_b", "coordinator_b", "member_a")
        ],
    }


@pytest.mark.parametrize(
    ("path", "method", "mode"),
    [
        (path, method, mode)
        for path, method in RECEIVER_OPERATIONS
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if method == "POST" or mode == GenerationMode.POSITIVE
    ],
    ids=lambda value: str(value),
)
def test_receiver_operations_on_a_real_transfer(
    path: str, method: str, mode: GenerationMode, incoming: dict[str, Any]
) -> None:
    operation = schema[path][method]
    fixed = {"transfer_id": incoming["transfer_id"]} if "{transfer_id}" in path else {}

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        token = data.draw(st.sampled_from(incoming["tokens"]))
        case = data.draw(operation.as_strategy(generation_mode=mode, path_parameters=fixed))
        case.call_and_validate(
            app=application, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
        )

    run()


# --- The central pool's own operations (budget years, guidelines, the application list) ----

POOL_OPERATIONS = [
    (path, method.upper())
    for path, operations in api.get_openapi_schema()["paths"].items()
    if path.startswith("/api/v1/pool/")
    for method in operations
]


@pytest.fixture
def pool_tokens(world: Any) -> dict[str, Any]:
    """Return this year (with a budget and applications) and tokens of the pool's managers,
    an analyst and a unit member."""
    from vejud.testing.pool import make_application, make_pool, make_pool_case

    year = make_pool(world, budget_kr=500_000)
    make_application(world, make_pool_case(world), amount_kr=4_000)
    return {
        "year": year.year,
        "tokens": [
            token_create(user=world.users[name], name="schemathesis")[1]
            for name in ("head", "decision_maker", "analyst", "member_a")
        ],
    }


@pytest.mark.parametrize(
    ("path", "method", "mode"),
    [
        (path, method, mode)
        for path, method in POOL_OPERATIONS
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    ],
    ids=lambda value: str(value),
)
def test_pool_operations(
    path: str, method: str, mode: GenerationMode, pool_tokens: dict[str, Any]
) -> None:
    operation = schema[path][method]
    fixed = {"year": pool_tokens["year"]} if "{year}" in path else {}

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        token = data.draw(st.sampled_from(pool_tokens["tokens"]))
        case = data.draw(operation.as_strategy(generation_mode=mode, path_parameters=fixed))
        case.call_and_validate(
            app=application, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
        )

    run()
