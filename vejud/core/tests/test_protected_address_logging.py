"""The protected address never reaches log output, not even the SQL debug log."""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from django.urls import reverse

from vejud.audit.services import log_access
from vejud.core.tests.conftest import ADDRESS, make_protected, raw_address
from vejud.people.models import ProtectedAddress
from vejud.people.services import protected_address_set
from vejud.testing import verified_client

NEW_ADDRESS = "Skjult Vænge 12, 5000 Odense C"
LOGGERS = ("", "django", "django.db.backends", "django.request", "django.server", "vejud")


@pytest.fixture
def everything_logged(caplog):
    """Capture every logger at DEBUG, with SQL and its parameters logged as in DEBUG mode."""
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    forced = connection.force_debug_cursor
    connection.force_debug_cursor = True
    yield caplog
    connection.force_debug_cursor = forced


def _log_output(caplog) -> str:
    parts = [caplog.text]
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(repr(record.args))
        parts.append(repr(getattr(record, "params", "")))
        parts.append(repr(getattr(record, "sql", "")))
    return "\n".join(parts)


def test_address_is_absent_from_every_log(world, everything_logged):
    caplog = everything_logged
    protected = make_protected(world)  # creates the address through the service
    person_id = protected.person_id

    # Viewing, as the case pages do: read it and log the access.
    address = ProtectedAddress.objects.get(person_id=person_id).address
    assert address == ADDRESS
    log_access(
        user=world.coordinator_a,
        part="protected_address",
        person_id=person_id,
        case_id=protected.case.pk,
        reason="Planning a home visit",
    )

    # Changing it.
    protected_address_set(
        actor=world.coordinator_a,
        person=protected.case.person,
        case=protected.case,
        address=NEW_ADDRESS,
        reason="Moved again",
    )

    # The auditor's pages render the records of all of the above.
    auditor = verified_client(world.auditor)
    assert auditor.get(reverse("audit:events")).status_code == 200
    assert auditor.get(reverse("audit:access")).status_code == 200

    output = _log_output(caplog)
    # The capture works: the SQL was logged with its parameters, ciphertext included.
    assert any(r.name == "django.db.backends" for r in caplog.records)
    assert raw_address(person_id) in output
    for secret in (ADDRESS, NEW_ADDRESS, "Hemmelig Allé", "Skjult Vænge"):
        assert secret not in output
