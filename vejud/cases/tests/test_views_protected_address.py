"""The protected address: custodians only, re-authentication, a reason, every view logged."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from vejud.audit.models import AccessLog, AuditEvent
from vejud.cases.services import mentor_assign
from vejud.people.models import (
    AddressCustodian,
    AddressProtectionStatus,
    ProtectedAddress,
    ProtectedAddressReport,
)
from vejud.testing import make_case, reauthed_client, verified_client
from vejud.testing.builders import protect_address

ADDRESS = "Gemmestien 8, 9998 Skjulested"


@pytest.fixture
def case(world):
    case = make_case(world.coordinator_a, world.unit_a, first_name="Mads", last_name="Mose")
    protect_address(
        world,
        case,
        ADDRESS,
        cpr_protection=AddressProtectionStatus.REQUESTED,
        requested_on=date(2026, 2, 1),
    )
    return case


def url(case, name="cases:protected_address"):
    return reverse(name, kwargs={"reference": case.reference})


def test_custodian_must_give_a_reason_before_seeing_it(world, case):
    client = reauthed_client(world.coordinator_a)
    response = client.get(url(case))
    assert response.status_code == 200
    assert "Gemmestien" not in response.content.decode()
    assert not AccessLog.objects.exists()
    response = client.post(url(case), {"reason": ""})
    assert "Gemmestien" not in response.content.decode()
    assert "form-error-message" in response.content.decode()
    assert not AccessLog.objects.exists()


def test_custodian_sees_address_and_protection_dates_and_it_is_logged(world, case):
    response = reauthed_client(world.coordinator_a).post(
        url(case), {"reason": "Planning a home visit"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert ADDRESS in body
    assert "Requested" in body
    assert world.coordinator_a.email in body  # the custodian list
    log = AccessLog.objects.get(part="protected_address")
    assert (log.user_id, log.person_id, log.case_id, log.reason) == (
        world.coordinator_a.pk,
        case.person_id,
        case.pk,
        "Planning a home visit",
    )


def test_without_recent_reauthentication_the_custodian_is_sent_to_reauth(world, case):
    response = verified_client(world.coordinator_a).get(url(case))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauth"))


def test_non_custodian_of_the_same_unit_gets_404(world, case):
    client = reauthed_client(world.member_a)
    assert client.get(url(case)).status_code == 404
    assert client.post(url(case), {"reason": "Curious"}).status_code == 404
    assert not AccessLog.objects.exists()


def test_non_custodian_gets_404_before_any_reauth_prompt(world, case):
    assert verified_client(world.member_a).get(url(case)).status_code == 404


def test_other_unit_404(world, case):
    assert reauthed_client(world.member_b).get(url(case)).status_code == 404


def test_mentor_404(world, case):
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    assert reauthed_client(world.mentor).get(url(case)).status_code == 404


@pytest.mark.parametrize("role", ["analyst", "sysadmin"])
def test_wrong_role_403(world, case, role):
    assert reauthed_client(getattr(world, role)).get(url(case)).status_code == 403


def test_a_custodian_of_another_persons_address_gets_404(world, case):
    other = make_case(world.coordinator_a, world.unit_a, first_name="Nina", last_name="Nord")
    assert reauthed_client(world.coordinator_a).get(url(other)).status_code == 404


def _edit_data(**overrides):
    data = {
        "address-address": "Nyvej 2, 9997 Andetsted",
        "address-cpr_protection": AddressProtectionStatus.CONFIRMED,
        "address-requested_on": "2026-02-01",
        "address-confirmed_on": "2026-02-10",
        "address-lifted_on": "",
        "address-reason": "Moved again",
    }
    data.update(overrides)
    return data


def test_custodian_changes_the_address(world, case):
    response = reauthed_client(world.coordinator_a).post(
        url(case, "cases:protected_address_edit"), _edit_data()
    )
    assert response.status_code == 302
    record = ProtectedAddress.objects.get(person=case.person)
    assert record.address == "Nyvej 2, 9997 Andetsted"
    assert record.cpr_protection == AddressProtectionStatus.CONFIRMED
    assert record.protection_confirmed_on == date(2026, 2, 10)
    assert AuditEvent.objects.filter(
        action="protected_address.update", reason="Moved again"
    ).exists()


def test_confirmed_without_date_is_refused(world, case):
    response = reauthed_client(world.coordinator_a).post(
        url(case, "cases:protected_address_edit"), _edit_data(**{"address-confirmed_on": ""})
    )
    assert response.status_code == 200
    assert "form-error-message" in response.content.decode()
    assert ProtectedAddress.objects.get(person=case.person).address == ADDRESS


def test_non_custodian_cannot_change_the_address(world, case):
    response = reauthed_client(world.member_a).post(
        url(case, "cases:protected_address_edit"), _edit_data()
    )
    assert response.status_code == 404
    assert ProtectedAddress.objects.get(person=case.person).address == ADDRESS


def test_edit_wrong_role_403_and_get_405(world, case):
    edit = url(case, "cases:protected_address_edit")
    assert reauthed_client(world.analyst).post(edit, _edit_data()).status_code == 403
    assert reauthed_client(world.coordinator_a).get(edit).status_code == 405


def test_custodian_names_another_custodian(world, case):
    response = reauthed_client(world.coordinator_a).post(
        url(case, "cases:custodian_add"),
        {"custodian-email": world.member_a.email, "custodian-reason": "Covers the holidays"},
    )
    assert response.status_code == 302
    assert AddressCustodian.objects.filter(user=world.member_a).exists()
    response = reauthed_client(world.member_a).post(url(case), {"reason": "Holiday cover visit"})
    assert ADDRESS in response.content.decode()


def test_a_user_who_cannot_see_the_case_cannot_be_custodian(world, case):
    response = reauthed_client(world.coordinator_a).post(
        url(case, "cases:custodian_add"),
        {"custodian-email": world.member_b.email, "custodian-reason": "Wrong person"},
    )
    assert response.status_code == 200
    assert "cannot see this case" in response.content.decode()
    assert not AddressCustodian.objects.filter(user=world.member_b).exists()


def test_a_mentor_cannot_be_custodian(world, case):
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    response = reauthed_client(world.coordinator_a).post(
        url(case, "cases:custodian_add"),
        {"custodian-email": world.mentor.email, "custodian-reason": "Mentor"},
    )
    assert response.status_code == 200
    assert not AddressCustodian.objects.filter(user=world.mentor).exists()


def test_non_custodian_cannot_add_custodians(world, case):
    response = reauthed_client(world.member_a).post(
        url(case, "cases:custodian_add"),
        {"custodian-email": world.member_a.email, "custodian-reason": "Let me in"},
    )
    assert response.status_code == 404
    assert not AddressCustodian.objects.filter(user=world.member_a).exists()


# Registering a first address ---------------------------------------------------------


def test_coordinator_registers_an_address_and_becomes_custodian(world):
    case = make_case(world.coordinator_a, world.unit_a, first_name="Ole", last_name="Ørn")
    client = reauthed_client(world.coordinator_a)
    assert client.get(url(case, "cases:protected_address_new")).status_code == 200
    response = client.post(
        url(case, "cases:protected_address_new"),
        _edit_data(
            **{
                "address-cpr_protection": "none",
                "address-requested_on": "",
                "address-confirmed_on": "",
            }
        ),
    )
    assert response.status_code == 302
    assert AddressCustodian.objects.filter(user=world.coordinator_a, case=case).exists()


def test_registering_over_an_existing_address_goes_to_the_custodians(world, case):
    response = reauthed_client(world.head).post(
        url(case, "cases:protected_address_new"), _edit_data()
    )
    assert response.status_code == 302  # as for a first address (hole 6)
    report = ProtectedAddressReport.objects.get(address__person=case.person)
    assert (report.reported_by, report.reported_address) == (world.head, "Nyvej 2, 9997 Andetsted")
    assert ProtectedAddress.objects.get(person=case.person).address == ADDRESS
    assert not AddressCustodian.objects.filter(user=world.head).exists()


def test_register_page_sends_a_custodian_to_the_address(world, case):
    response = reauthed_client(world.coordinator_a).get(url(case, "cases:protected_address_new"))
    assert response.status_code == 302
    assert response["Location"] == url(case)


def test_register_needs_the_manage_capability(world, case):
    assert (
        reauthed_client(world.member_a).get(url(case, "cases:protected_address_new")).status_code
        == 403
    )
    assert (
        reauthed_client(world.analyst).get(url(case, "cases:protected_address_new")).status_code
        == 403
    )


def test_register_other_unit_404(world, case):
    assert (
        reauthed_client(world.coordinator_b)
        .get(url(case, "cases:protected_address_new"))
        .status_code
        == 404
    )


def test_address_is_not_on_the_person_page(world, case):
    body = (
        verified_client(world.coordinator_a)
        .get(reverse("people:detail", kwargs={"public_id": case.person.public_id}))
        .content.decode()
    )
    assert "Gemmestien" not in body


@pytest.mark.parametrize("name", ["cases:protected_address_edit", "cases:custodian_add"])
def test_changes_other_unit_404_mentor_404_wrong_role_403(world, case, name):
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    data = {
        **_edit_data(),
        "custodian-email": world.member_b.email,
        "custodian-reason": "x",
    }
    assert reauthed_client(world.member_b).post(url(case, name), data).status_code == 404
    assert reauthed_client(world.coordinator_b).post(url(case, name), data).status_code == 404
    assert reauthed_client(world.mentor).post(url(case, name), data).status_code == 404
    assert reauthed_client(world.analyst).post(url(case, name), data).status_code == 403
    assert reauthed_client(world.sysadmin).post(url(case, name), data).status_code == 403
    assert ProtectedAddress.objects.get(person=case.person).address == ADDRESS
    assert AddressCustodian.objects.count() == 1
