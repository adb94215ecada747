"""``vejud rotate-keys`` re-encrypts every encrypted field under the newest key."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError

from vejud.audit.models import AuditEvent
from vejud.audit.services import verify_chain
from vejud.core.tests.conftest import (
    ADDRESS,
    CPR,
    THREATS,
    make_protected,
    raw_address,
    raw_person,
)
from vejud.people.models import Person, ProtectedAddress

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()


def rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate-keys", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def under_old_key(settings, world):
    settings.VEJUD_FIELD_KEYS = [OLD]
    return make_protected(world)


def _decrypts_with(key: str, token: str) -> str:
    return Fernet(key.encode()).decrypt(token.encode()).decode()


def test_the_command_is_named_rotate_keys():
    assert get_commands()["rotate-keys"] == "vejud.audit"


def test_values_are_re_encrypted_under_the_newest_key(settings, under_old_key):
    person_id = under_old_key.person_id
    before = (*raw_person(person_id), raw_address(person_id))
    assert _decrypts_with(OLD, before[0]) == CPR

    settings.VEJUD_FIELD_KEYS = [NEW, OLD]
    output = rotate("--batch-size", "1")
    assert "people.Person: 2 value(s) re-encrypted" in output
    assert "people.ProtectedAddress: 1 value(s) re-encrypted" in output

    after = (*raw_person(person_id), raw_address(person_id))
    for old_token, new_token, plain in zip(before, after, (CPR, THREATS, ADDRESS), strict=True):
        assert new_token != old_token
        assert plain not in new_token
        assert _decrypts_with(NEW, new_token) == plain
        with pytest.raises(InvalidToken):
            _decrypts_with(OLD, new_token)

    # The old key can now go: the newest alone reads everything.
    settings.VEJUD_FIELD_KEYS = [NEW]
    person = Person.objects.get(pk=person_id)
    assert (person.cpr, person.threat_notes) == (CPR, THREATS)
    assert ProtectedAddress.objects.get(person_id=person_id).address == ADDRESS
    assert "Every value is under the newest key." in rotate("--check")


def test_each_batch_is_audited_and_the_chain_holds(settings, under_old_key):
    settings.VEJUD_FIELD_KEYS = [NEW, OLD]
    rotate("--batch-size", "1")
    events = list(AuditEvent.objects.filter(action="crypto.rotate").order_by("seq"))
    # One batch per row with something to rotate: one person, one protected address.
    assert [(e.object_type, e.changes["rows"], e.changes["values"]) for e in events] == [
        ("people.person", 1, 2),
        ("people.protectedaddress", 1, 1),
    ]
    assert all(e.actor_id is None and e.actor_label == "system" for e in events)
    for event in events:
        text = str(event.changes)
        assert "gAAAAA" not in text
        assert CPR not in text
        assert ADDRESS not in text
    assert verify_chain().ok


def test_a_second_run_changes_nothing(settings, under_old_key):
    settings.VEJUD_FIELD_KEYS = [NEW, OLD]
    rotate()
    tokens = raw_person(under_old_key.person_id)
    events = AuditEvent.objects.count()
    assert "Done: 0 value(s) re-encrypted." in rotate()
    assert raw_person(under_old_key.person_id) == tokens
    assert AuditEvent.objects.count() == events


def test_check_fails_while_values_need_an_old_key(settings, under_old_key):
    settings.VEJUD_FIELD_KEYS = [NEW, OLD]
    with pytest.raises(CommandError) as excinfo:
        rotate("--check")
    assert excinfo.value.returncode != 0
    assert "3 value(s) still need the old keys" in str(excinfo.value)
    assert _decrypts_with(OLD, raw_person(under_old_key.person_id)[0]) == CPR  # nothing changed


def test_a_value_no_key_can_read_stops_the_command(settings, under_old_key):
    settings.VEJUD_FIELD_KEYS = [NEW]
    with pytest.raises(CommandError, match=r"people.Person #\d+: cpr cannot be read"):
        rotate()
