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
    # Session, user, case, the person's lists; savepoint, access-log row, release; custodian;
    # the mentors (one read a request: the page's facts and the course panel); break-glass
    # grants, the persons whose lists bar the user (once a request), earlier cases; journal;
    # the transfers (whether there is one, then all with their names: once a request) and the
    # release plan (once a request: what can be done now asks whether a transfer is pending
    # and the plan made, the transfers panel shows them); the
    # inquiry; consents, the three assessments (one query), decisions, the referral (none: so
    # no question to look for); goals with their actions, offers, the signed motivation
    # assessment (one read a request: the course panel's help wishes, the follow-up panel's
    # baseline), the wished offer types, the meetings counted (those flagged read only if
    # any), agreement, closure; reviews with their risk events (two), the early warnings (open
    # and last resolved: one); whether the user may answer the pending transfer; grants;
    # documents; advice answers; the person's retention date (one query).
    assert many_count == few_count == 36, (few_count, many_count)


def test_the_panel_reads_the_open_and_the_last_resolved_warnings_at_once(world):
    from vejud.audit.services import audit_record, audited
    from vejud.followup.models import EarlyWarning, Review
    from vejud.followup.templatetags.followup import RESOLVED_SHOWN, followup_overview

    case = make_admitted_case(world)
    add_history(world, case, 1)
    review = Review.objects.filter(case=case).get()
    start = timezone.now() - timedelta(days=30)
    with audited():  # test data: nine warnings, two open and seven resolved one by one
        warnings = [
            EarlyWarning.objects.create(
                case=case, review=review, reason="no_progress", raised_at=start + timedelta(n)
            )
            for n in range(9)
        ]
        for n, warning in enumerate(warnings[2:]):  # resolved in the order 2, 3, …, 8
            warning.resolved_at = start + timedelta(days=10 + n)
            warning.resolved_by = world.coordinator_a
            warning.save()
        warnings[0].raised_at = start + timedelta(days=20)  # the later of the two open ones
        warnings[0].save()
        audit_record(actor=None, action="test.data", obj=case, case_id=case.pk)
    with CaptureQueriesContext(connection) as queries:
        overview = followup_overview(case, world.member_a)
    found = EarlyWarning.objects.filter(case=case)
    assert [w.pk for w in overview.open_warnings] == list(
        found.filter(resolved_at__isnull=True)
        .order_by("raised_at", "id")
        .values_list("pk", flat=True)
    )
    shown = overview.open_warnings
    assert shown.index(warnings[1]) < shown.index(warnings[0])  # in the order raised
    assert [w.pk for w in overview.resolved_warnings] == [w.pk for w in warnings[:1:-1]][
        :RESOLVED_SHOWN
    ]
    assert overview.resolved_warnings[0].resolved_by == world.coordinator_a
    assert sum("followup_earlywarning" in q["sql"] for q in queries.captured_queries) == 1
