"""What the auditor's selectors show of recorded changes, and their keyset pagination."""

from __future__ import annotations

from vejud.auditor.selectors import HIDDEN, Change, changes_for_auditor, subject_resolve


def test_person_fields_outside_the_allowlist_are_hidden():
    changes = changes_for_auditor(
        "people.person",
        {
            "first_name": ["Zebulon", "Zacharias"],
            "phone": "12345678",
            "birth_date": "1990-01-01",
            "cpr": "[protected:0123456789ab]",
            "updated_at": ["2025-03-01T10:00:00Z", "2025-03-02T10:00:00Z"],
        },
    )
    assert changes == [
        Change(field="birth_date", new=HIDDEN),
        Change(field="cpr", new="[protected:0123456789ab]"),
        Change(field="first_name", old=HIDDEN, new=HIDDEN, is_diff=True),
        Change(field="phone", new=HIDDEN),
        Change(
            field="updated_at", old="2025-03-01T10:00:00Z", new="2025-03-02T10:00:00Z", is_diff=True
        ),
    ]


def test_free_text_is_hidden_on_every_record_codes_and_numbers_are_not():
    changes = changes_for_auditor(
        "cases.case",
        {
            "status": ["inquiry", "assessment"],
            "reference": "EX-2025-00001",
            "version": 2,
            "closed": False,
            "note": "Met him at Vestre Fængsel",
            "grounds": "Mentions Zebulon",
            "empty": None,
        },
    )
    shown = {c.field: (c.old, c.new) for c in changes}
    assert shown["status"] == ("inquiry", "assessment")
    assert shown["reference"] == (None, "EX-2025-00001")
    assert shown["version"] == (None, 2)
    assert shown["closed"] == (None, False)
    assert shown["note"] == (None, HIDDEN)
    assert shown["grounds"] == (None, HIDDEN)
    assert shown["empty"] == (None, None)


def test_nested_values_are_hidden():
    changes = changes_for_auditor("cases.case", {"answers": {"q1": "free text"}})
    assert changes == [Change(field="answers", new=HIDDEN)]


def test_subject_resolves_uuid_and_reference(world, sensitive):
    person = sensitive.case.person
    by_uuid = subject_resolve(str(person.public_id))
    by_reference = subject_resolve(f"  {sensitive.case.reference.lower()} ")
    assert by_uuid is not None
    assert by_uuid.person_id == person.pk
    assert by_reference is not None
    assert by_reference.case_id == sensitive.case.pk
    assert subject_resolve("EX-1999-99999") is None
    assert subject_resolve("not a uuid") is None
