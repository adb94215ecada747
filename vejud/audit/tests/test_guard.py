from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from vejud.audit.guard import GUARDED_MODELS, missing_triggers
from vejud.audit.services import AuditMissingError, audited, verify_chain
from vejud.core.testing import make_case
from vejud.people.models import Person


def test_every_guarded_table_has_its_triggers(db):
    assert GUARDED_MODELS
    assert missing_triggers(connection) == []


def test_direct_write_without_audit_scope_is_refused(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(first_name="X", last_name="Y", birth_date="2000-01-01", name_search="x y")


def test_scope_without_audit_record_cannot_commit(world):
    with pytest.raises(AuditMissingError), audited():
        Person.objects.create(first_name="X", last_name="Y", birth_date="2000-01-01", name_search="x y")
    assert not Person.objects.filter(name_search="x y").exists()


def test_services_write_a_verifiable_chain(world):
    make_case(world.coordinator_a, world.unit_a)
    result = verify_chain()
    assert result.ok, result.problems
    assert result.checked == 2
