"""``VEJUD_HMAC_KEY`` is a newest-first list: lookups try every key and ``vejud rotate-keys``
re-hashes the CPR lookup hashes under the newest in audited batches (issue 19)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from vejud.audit.models import AuditEvent
from vejud.audit.services import verify_chain
from vejud.core.crypto import keyed_hash
from vejud.core.tests.conftest import raw_row
from vejud.people.services import DuplicatePersonError, person_find_by_cpr
from vejud.testing import make_person

CPR = "0101901234"
NEW_KEY = "a-new-cpr-lookup-key-of-forty-characters"


def raw_hash(person_id: int) -> str | None:
    (value,) = raw_row("people_person", ["cpr_hash"], "id", person_id)
    return value


def rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate-keys", *args, stdout=out)
    return out.getvalue()


def _register_again(world):
    return make_person(world.member_b, first_name="Ida", last_name="Holm", cpr=CPR, birth_date=None)


def test_duplicate_detection_finds_the_same_cpr_after_a_new_key_and_rotation(world, settings):
    person = make_person(world.member_a, cpr=CPR, birth_date=None)
    unconfirmed = make_person(
        world.member_a, first_name="Other", cpr="0202902345", birth_date=None, cpr_unconfirmed=True
    )
    old_keys = list(settings.VEJUD_HMAC_KEYS)
    old_hash = raw_hash(person.pk)
    settings.VEJUD_HMAC_KEYS = [NEW_KEY, *old_keys]

    # Before the command: the old key's hash still finds the person.
    assert person_find_by_cpr(CPR) == person
    with pytest.raises(DuplicatePersonError):
        _register_again(world)
    with pytest.raises(CommandError):
        rotate("--check")

    output = rotate()
    assert "people_person: 1 CPR hash(es) re-hashed" in output
    new_hash = raw_hash(person.pk)
    assert new_hash == keyed_hash(CPR, purpose="cpr", key=NEW_KEY) != old_hash
    assert raw_hash(unconfirmed.pk) is None  # never hashed, stays so
    event = AuditEvent.objects.get(action="crypto.rehash")
    assert event.changes["rows"] == 1 and CPR not in str(event.changes)
    assert "0 CPR hash(es) not under the newest key" in rotate("--check")
    assert verify_chain().ok

    # With the new key alone the same CPR number is still found and refused again.
    settings.VEJUD_HMAC_KEYS = [NEW_KEY]
    assert person_find_by_cpr(f"{CPR[:6]}-{CPR[6:]}") == person
    with pytest.raises(DuplicatePersonError):
        _register_again(world)
    # Without it, nothing is found: the hash is keyed.
    settings.VEJUD_HMAC_KEYS = old_keys
    assert person_find_by_cpr(CPR) is None
