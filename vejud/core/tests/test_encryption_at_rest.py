"""The database holds CPR numbers, threat notes and protected addresses only encrypted."""

from __future__ import annotations

import pytest
from django.db import connection

from vejud.core.crypto import decrypt_text, keyed_hash
from vejud.core.tests.conftest import ADDRESS, CPR, THREATS, raw_address, raw_person, raw_row
from vejud.people.models import Person
from vejud.people.services import person_find_by_cpr

SECRETS = (CPR, "010190-1234", THREATS, "Kestrel", ADDRESS, "Hemmelig Allé")


def test_columns_hold_ciphertext_that_decrypts(protected):
    cpr, threats = raw_person(protected.person_id)
    address = raw_address(protected.person_id)
    for stored, plain in ((cpr, CPR), (threats, THREATS), (address, ADDRESS)):
        assert plain not in stored
        assert stored.startswith("gAAAAA")  # a Fernet token
        assert decrypt_text(stored) == plain


def test_the_model_reads_plain_text(protected):
    person = Person.objects.get(pk=protected.person_id)
    assert person.cpr == CPR
    assert person.threat_notes == THREATS
    assert person.protected_address.address == ADDRESS


def test_no_table_holds_the_plain_values(protected):
    """Not the person table, not the audit trail, not anywhere else."""
    qn = connection.ops.quote_name
    tables = connection.introspection.table_names()
    assert "audit_auditevent" in tables
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {qn(table)}")
            for row in cursor.fetchall():
                cells = " ".join(str(cell) for cell in row)
                for secret in SECRETS:
                    assert secret not in cells, f"{secret!r} stored in plain text in {table}"


def test_a_keyed_hash_finds_the_person(protected, settings):
    (stored_hash,) = raw_row("people_person", ["cpr_hash"], "id", protected.person_id)
    assert stored_hash == keyed_hash(CPR, purpose="cpr")
    assert CPR not in stored_hash
    found = person_find_by_cpr("010190-1234")
    assert found is not None
    assert found.pk == protected.person_id
    # The hash is keyed: without the key, the CPR number cannot be turned into it.
    settings.VEJUD_HMAC_KEYS = ["another-key-another-key-another-key"]
    assert person_find_by_cpr(CPR) is None


def test_encryption_is_not_deterministic(world, protected):
    """Equal plain values give different ciphertexts, so equal CPR numbers cannot be spotted."""
    from vejud.core.crypto import encrypt_text

    assert encrypt_text(CPR) != encrypt_text(CPR)


@pytest.mark.parametrize("value", ["", None])
def test_empty_values_stay_empty(value):
    from vejud.core.crypto import EncryptedTextField

    assert EncryptedTextField().get_prep_value(value) == value
