"""Query counts of the process reads do not grow with consents, versions, requests or cases."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from vejud.api.tests.process_support import JsonApi, case_url
from vejud.assessments.services import INSTRUMENTS, instrument_correct, instrument_sign
from vejud.decisions.services import (
    information_request_answer,
    information_request_create,
)
from vejud.testing import give_consent, make_assessed_case
from vejud.testing.builders import make_referred_case


def _count(client: JsonApi, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_process_overview_is_constant_in_rows(world):
    case = make_assessed_case(world)
    client = JsonApi(world.member_a)
    url = case_url(case, "/process")
    client.get(url)  # the token's last-used stamp is written on first use only
    few = _count(client, url)
    for _ in range(3):
        give_consent(world.member_a, case)
    for model in INSTRUMENTS.values():
        for _ in range(2):
            latest = model.objects.filter(case=case).order_by("-version").first()
            draft = instrument_correct(actor=world.member_a, instrument=latest, reason="Again.")
            instrument_sign(actor=world.member_a, instrument=draft)
    assert _count(client, url) == few


def test_referral_requests_do_not_add_queries(world):
    case = make_referred_case(world)
    client = JsonApi(world.decision_maker)
    url = case_url(case, "/process")
    first = information_request_create(actor=world.decision_maker, case=case, question="One?")
    information_request_answer(actor=world.member_a, request=first, answer="Yes.")
    client.get(url)
    few = _count(client, url)
    for i in range(4):
        information_request_create(actor=world.decision_maker, case=case, question=f"More {i}?")
    assert _count(client, url) == few


def test_assessment_versions_are_constant_in_versions(world):
    case = make_assessed_case(world)
    client = JsonApi(world.member_a)
    urls = [case_url(case, f"/assessments/{kind}") for kind in INSTRUMENTS]
    client.get(urls[0])
    few = [_count(client, url) for url in urls]
    for model in INSTRUMENTS.values():
        for _ in range(3):
            latest = model.objects.filter(case=case).order_by("-version").first()
            draft = instrument_correct(actor=world.member_a, instrument=latest, reason="Again.")
            instrument_sign(actor=world.member_a, instrument=draft)
    assert [_count(client, url) for url in urls] == few


def test_tasks_are_constant_in_cases(world):
    make_assessed_case(world, last_name="First")
    client = JsonApi(world.coordinator_a)
    client.get("/api/v1/tasks")
    few = _count(client, "/api/v1/tasks")
    for i in range(5):
        make_assessed_case(world, last_name=f"More{i}")
    assert _count(client, "/api/v1/tasks") == few
    assert len(client.get("/api/v1/tasks").json()["items"]) >= 6
