"""Hole 6: registering a protected address answers the same whether or not one exists.

A non-custodian who may register addresses learns nothing from the "new address" form:
with an address on file their address goes to the custodians as a report, and the
answer (status, redirect, message, the form page before it) is the same as for a first
address. The existing address stays as it was and its custodians see the report.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from vejud.audit.models import AuditEvent
from vejud.people.models import AddressCustodian, ProtectedAddress, ProtectedAddressReport
from vejud.testing import make_case, reauthed_client
from vejud.testing.builders import protect_address

OLD = "Gemmestien 8, 9998 Skjulested"
NEW = "Nyvej 2, 9997 Andetsted"
DATA = {
    "address-address": NEW,
    "address-cpr_protection": "none",
    "address-requested_on": "",
    "address-confirmed_on": "",
    "address-lifted_on": "",
    "address-reason": "Told us at the meeting today",
}


@pytest.fixture
def cases(world):
    with_address = make_case(world.coordinator_a, world.unit_a, first_name="Mads", last_name="Mose")
    protect_address(world, with_address, OLD)
    without = make_case(world.coordinator_a, world.unit_a, first_name="Ole", last_name="Ørn")
    return with_address, without


def _url(case) -> str:
    return reverse("cases:protected_address_new", kwargs={"reference": case.reference})


def _answer(client, case) -> tuple[int, str, list[str]]:
    response = client.post(_url(case), DATA)
    location = response.get("Location", "").replace(case.reference, "REF")
    return response.status_code, location, [str(m) for m in get_messages(response.wsgi_request)]


def _form_page(client, case) -> str:
    body = client.get(_url(case)).content.decode().replace(case.reference, "REF")
    # Per-response tokens: the CSRF token, the CSP nonce and the form's idempotency key.
    tokens = r'(CSRFToken": "|nonce="|csrfmiddlewaretoken" value="|idempotency_key" value=")'
    return re.sub(tokens + r'[^"]+', "", body)


def test_the_form_and_its_answer_are_the_same_with_and_without_an_address(world, cases):
    with_address, without = cases
    client = reauthed_client(world.head)  # may register addresses, custodian of neither
    assert _form_page(client, with_address) == _form_page(client, without)
    answer_with = _answer(reauthed_client(world.head), with_address)
    answer_without = _answer(reauthed_client(world.head), without)
    assert answer_with == answer_without
    assert answer_with[0] == 302


def test_the_existing_address_is_kept_and_the_custodians_get_a_report(world, cases):
    with_address, _without = cases
    reauthed_client(world.head).post(_url(with_address), DATA)
    record = ProtectedAddress.objects.get(person=with_address.person)
    assert record.address == OLD
    assert not AddressCustodian.objects.filter(address=record, user=world.head).exists()
    report = ProtectedAddressReport.objects.get(address=record)
    assert (report.reported_by, report.reported_address, report.case) == (
        world.head,
        NEW,
        with_address,
    )
    assert AuditEvent.objects.filter(action="protected_address.report").count() == 1
    page = reauthed_client(world.coordinator_a).post(
        reverse("cases:protected_address", kwargs={"reference": with_address.reference}),
        {"reason": "Reading the reported address"},
    )
    assert NEW in page.content.decode()
    assert world.head.full_name in page.content.decode()


def test_a_first_address_makes_the_registering_user_its_custodian(world, cases):
    _with_address, without = cases
    reauthed_client(world.head).post(_url(without), DATA)
    record = ProtectedAddress.objects.get(person=without.person)
    assert record.address == NEW
    assert AddressCustodian.objects.filter(address=record, user=world.head).exists()
    assert not ProtectedAddressReport.objects.exists()
