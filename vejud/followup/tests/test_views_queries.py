"""The case page costs the same number of queries with 3 or 300 reviews and transfers."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vejud.followup.services import review_record
from vejud.testing import make_admitted_case, verified_client
from vejud.transfers.services import transfer_cancel, transfer_request


def add_history(world, case, count):
    """Add ``count`` reviews (every third with a risk event) and ``count`` cancelled transfers."""
    today = timezone.localdate()
    for n in range(count):
        review_record(
            actor=world.member_a,
            case=case,
            reviewed_on=today - timedelta(days=count - n),
            crime_stopped=n % 4,
            environment_left=(n + 1) % 4,
            lifestyle_changed=(n + 2) % 4,
            motivation_level=1 + n % 5,
            evidence={"crime_stopped": f"Evidence {n}"},
            risk_events=(
                [{"kind": "threat", "occurred_on": today, "note": f"Risk {n}"}]
                if n % 3 == 0
                else None
            ),
        )
        transfer = transfer_request(
            actor=world.member_a, case=case, to_unit=world.unit_b, handover_note=f"Note {n}"
        )
        transfer_cancel(actor=world.member_a, transfer=transfer)
    transfer_request(actor=world.member_a, case=case, to_unit=world.unit_b, handover_note="Now")


def page_queries(world, case):
    client = verified_client(world.member_a)
    client.get(case.get_absolute_url())  # warm the session and caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_case_page_query_count_does_not_grow_with_reviews_and_transfers(world):
    few = make_admitted_case(world)
    many = make_admitted_case(world)
    add_history(world, few, 3)
    add_history(world, many, 300)
    few_count, _html = page_queries(world, few)
    many_count, html = page_queries(world, many)
    assert "Evidence 299" in html and "Risk 297" in html
    assert html.count('id="transfer-') == 300
    # The persons whose lists bar the user are read once a request (access.cases); the
    # inquiry panel reads the inquiry; the retention panel the person's cases (one query); the
    # advice panel the case's answered requests (one query); what can be done now (the mentor
    # and release-plan checks of the course and release actions: two).
    assert many_count == few_count == 42, (few_count, many_count)
