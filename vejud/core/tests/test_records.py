"""``stamp`` and ``save_fields`` set the values and save only those columns."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from vejud.core.records import save_fields, stamp


class Row:
    """Stands in for a model row: records what ``save`` was asked to write."""

    def __init__(self) -> None:
        self.saved: list[list[str]] = []

    def save(self, *, update_fields: list[str]) -> None:
        self.saved.append(update_fields)


def test_save_fields_sets_and_saves_only_those_columns() -> None:
    row: Any = Row()
    assert save_fields(row, status="done", note="x") is row
    assert (row.status, row.note) == ("done", "x")
    assert row.saved == [["status", "note"]]


def test_stamp_records_who_and_when_with_the_event_values() -> None:
    row: Any = Row()
    before = timezone.now()
    stamp(row, "decided", "actor", status="approved")
    assert row.decided_by == "actor"
    assert before <= row.decided_at <= timezone.now() + timedelta(seconds=1)
    assert row.decided_at.tzinfo is not None
    assert row.status == "approved"
    assert row.saved == [["decided_by", "decided_at", "status"]]
