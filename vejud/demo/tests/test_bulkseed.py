"""Bulk demo cases (``vejud.demo.bulk``): realistic shapes, a verifiable audit trail.

Seeding is shared by the module (``bulk``): made once inside a transaction that is
rolled back at the end, each test running in its own savepoint inside it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO
from itertools import pairwise
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Max, Min, Sum
from django.urls import reverse
from django.utils import timezone
from stdnum.dk import cpr as stdnum_cpr

from vejud.assessments.models import (
    MotivationAssessment,
    SuitabilityAssessment,
    TargetGroupAssessment,
)
from vejud.audit.models import AccessLog, AuditEvent
from vejud.audit.services import verify_chain
from vejud.cases.models import Case, CaseStatus, CaseTransition, JournalEntry, Track
from vejud.cases.states import TRANSITIONS
from vejud.courses.models import CaseClosure, ExitAgreement, PlanAction
from vejud.decisions.models import Decision, DecisionLevel, Referral
from vejud.demo import showcase as demo
from vejud.demo.bulk import BulkResult, bulk_seed
from vejud.demo.bulk.tables import TABLES
from vejud.followup.models import Review
from vejud.intake.models import Consent, Inquiry
from vejud.people.models import Person
from vejud.pool.models import Application, BudgetYear, Payment
from vejud.reference.services import reference_load
from vejud.testing import (
    course_dates_from_rows,
    ensure_reference_data,
    stored_course_dates,
    verified_client,
)

pytestmark = pytest.mark.django_db

CASES = 200


@dataclass
class Seeded:
    result: BulkResult
    before: dict[str, int]
    case_ids: list[int]
    staff: dict[str, Any]
    progress: list[str]


def _counts() -> dict[str, int]:
    models = [t.model for t in TABLES] + [AuditEvent, AccessLog]
    return {m._meta.db_table: m._default_manager.count() for m in models}


@pytest.fixture(scope="module")
def bulk(django_db_setup: None, django_db_blocker: Any) -> Iterator[Seeded]:
    with django_db_blocker.unblock(), transaction.atomic():
        reference_load(missing_only=True)
        ensure_reference_data()
        staff = demo.ensure_staff()
        before = _counts()
        last_case = Case.objects.aggregate(m=Max("id"))["m"] or 0
        progress: list[str] = []
        result = bulk_seed(
            cases=CASES, seed=3, staff=staff, progress=progress.append, full_audit=True
        )
        case_ids = list(Case.objects.filter(id__gt=last_case).values_list("id", flat=True))
        yield Seeded(result, before, case_ids, staff, progress)
        transaction.set_rollback(True)


# First in the module: the shared bulk dataset (``bulk``) does not exist yet.
def test_seed_demo_makes_the_showcase_and_the_rest_in_bulk() -> None:
    out = StringIO()
    call_command("seed-demo", cases=demo.MIN_CASES + 25, audit="lifecycle", stdout=out)
    text = out.getvalue()
    assert Case.objects.count() == demo.MIN_CASES + 25
    assert "Bulk cases: 25" in text and "rows/s" in text
    assert f"{demo.MIN_CASES + 25} cases" in text
    assert verify_chain().ok
    # The showcase's notes are audited by the service; the bulk notes (lifecycle trail) not.
    notes = AuditEvent.objects.filter(action="journal.add").count()
    assert 0 < notes < JournalEntry.objects.count()


def test_row_counts_match_what_was_written(bulk: Seeded) -> None:
    after = _counts()
    added = {table: after[table] - bulk.before[table] for table in after}
    assert added == bulk.result.rows
    assert added["cases_case"] == CASES == len(bulk.case_ids) == bulk.result.cases
    later_attempts = Case.objects.filter(id__in=bulk.case_ids, previous_case__isnull=False)
    assert added["people_person"] == CASES - later_attempts.count()
    assert added["intake_inquiry"] == added["people_person"]
    # About ten journal notes a case; instruments, decisions, courses and reviews in proportion.
    assert 6 * CASES <= added["cases_journalentry"] <= 16 * CASES
    for table in TABLES:
        if table.name not in {"followup_riskevent", "followup_earlywarning", "decisions_referral"}:
            assert added[table.name] > 0, table.name
    assert added["audit_accesslog"] >= CASES
    assert any("rows/s" in line for line in bulk.progress)


def test_every_status_on_both_tracks(bulk: Seeded) -> None:
    cases = Case.objects.filter(id__in=bulk.case_ids)
    found = set(cases.values_list("track", "status"))
    assert found == {(t, s) for t in Track.values for s in CaseStatus.values}
    assert not cases.filter(track=Track.CUSTODY, institution__isnull=True).exists()
    assert not cases.filter(track=Track.LIBERTY, institution__isnull=False).exists()
    assert set(bulk.result.statuses) == found


def test_cases_walk_the_state_machine(bulk: Seeded) -> None:
    walked: dict[int, str] = {}
    steps: dict[int, int] = {}
    for step in CaseTransition.objects.filter(case_id__in=bulk.case_ids).order_by("at", "id"):
        source = walked.get(step.case_id, CaseStatus.INQUIRY)
        assert step.from_status == source, step
        assert (CaseStatus(source), CaseStatus(step.to_status)) in TRANSITIONS
        walked[step.case_id] = step.to_status
        steps[step.case_id] = steps.get(step.case_id, 0) + 1
    for case in Case.objects.filter(id__in=bulk.case_ids):
        assert case.status == walked.get(case.pk, CaseStatus.INQUIRY), case
        assert case.version == 1 + steps.get(case.pk, 0), case
        assert (case.closed_on is not None) == (
            case.status
            in {
                CaseStatus.WITHDRAWN,
                CaseStatus.DROPPED,
                CaseStatus.REFUSAL_UPHELD,
                CaseStatus.CLOSED,
            }
        ), case
        assert case.opened_on < timezone.localdate()
        assert case.reference.startswith(f"EX-{case.opened_on.year}-")


def test_records_fit_each_case_status(bulk: Seeded) -> None:
    cases = Case.objects.filter(id__in=bulk.case_ids)
    past_inquiry = cases.exclude(status__in=[CaseStatus.INQUIRY]).exclude(
        transitions__from_status=CaseStatus.INQUIRY, transitions__to_status=CaseStatus.WITHDRAWN
    )
    assert not past_inquiry.filter(consents__isnull=True).exists()
    admitted = cases.filter(status=CaseStatus.ADMITTED)
    # The exit agreement follows the admission within two weeks.
    recent = timezone.now() - timedelta(days=16)
    waiting = admitted.filter(agreement__isnull=True)
    assert not waiting.filter(status_changed_at__lt=recent).exists()
    assert not admitted.filter(agreement__isnull=False, course_started_on__isnull=True).exists()
    for case in cases.filter(status=CaseStatus.REFUSED):
        assert case.decisions.get().outcome == "refuse"
    for case in cases.filter(status=CaseStatus.REFUSAL_UPHELD):
        referral = Referral.objects.get(case=case)
        assert referral.final_decision is not None
        assert referral.final_decision.outcome == "uphold"
    for case in cases.filter(status=CaseStatus.REFERRED):
        assert Referral.objects.get(case=case).final_decision is None
    closed_courses = cases.filter(status=CaseStatus.CLOSED, agreement__isnull=False)
    assert closed_courses.exists()
    assert CaseClosure.objects.filter(case__in=closed_courses).count() == closed_courses.count()
    for model in (TargetGroupAssessment, MotivationAssessment, SuitabilityAssessment):
        rows = model.objects.filter(case_id__in=bulk.case_ids)
        assert not rows.filter(signed_at__isnull=False, signed_by__isnull=True).exists()
        decided = rows.filter(case__decisions__level=DecisionLevel.UNIT)
        assert not decided.filter(signed_at__isnull=True).exists(), model
    for decision in Decision.objects.filter(case_id__in=bulk.case_ids, level=DecisionLevel.UNIT):
        assert decision.target_group_id and decision.motivation_id and decision.suitability_id
    assert PlanAction.objects.filter(case_id__in=bulk.case_ids, status="done").exists()
    assert Review.objects.filter(case_id__in=bulk.case_ids).exists()
    custody_reviews = Review.objects.filter(case__in=cases.filter(track=Track.CUSTODY))
    assert not custody_reviews.filter(custody_behaviour__isnull=True).exists()


def test_the_next_outcome_due_is_six_months_after_a_course_ended_by_completion_or_interruption(
    bulk: Seeded,
) -> None:
    from django.utils import timezone

    from vejud.courses.selectors import add_months
    from vejud.outcomes.services import FOLLOWED_REASONS

    closures = dict(
        CaseClosure.objects.filter(case_id__in=bulk.case_ids).values_list("case_id", "closed_at")
    )
    reasons = dict(
        CaseClosure.objects.filter(case_id__in=bulk.case_ids).values_list("case_id", "reason")
    )
    stored = dict(Case.objects.filter(id__in=bulk.case_ids).values_list("id", "outcome_due_on"))
    expected = {
        pk: (
            add_months(timezone.localdate(closures[pk]), 6)
            if pk in closures and reasons[pk] in FOLLOWED_REASONS
            else None
        )
        for pk in stored
    }
    assert stored == expected
    assert any(expected.values())


def test_the_task_list_dates_on_each_case_match_its_reviews_and_actions(bulk: Seeded) -> None:
    stored = stored_course_dates(bulk.case_ids)
    assert stored == course_dates_from_rows(bulk.case_ids)
    admitted = set(
        Case.objects.filter(id__in=bulk.case_ids, status=CaseStatus.ADMITTED).values_list(
            "id", flat=True
        )
    )
    assert any(stored[pk][0] is not None for pk in admitted)
    assert any(stored[pk][1] is not None for pk in admitted)
    assert Review.objects.filter(case_id__in=admitted).exists()


def test_persons_are_synthetic_with_valid_unique_cpr_numbers(bulk: Seeded) -> None:
    persons = Person.objects.filter(cases__id__in=bulk.case_ids).distinct()
    numbers = set()
    for person in persons:
        assert stdnum_cpr.is_valid(person.cpr), person.cpr
        assert stdnum_cpr.checksum(person.cpr) != 0
        assert stdnum_cpr.get_birth_date(person.cpr) == person.birth_date
        assert person.name_search == Person.normalise_name(person.first_name, person.last_name)
        numbers.add(person.cpr)
    assert len(numbers) == persons.count()
    firsts = (
        JournalEntry.objects.filter(case_id__in=bulk.case_ids)
        .values("case_id")
        .annotate(first=Min("created_at"))
    )
    for row in firsts:
        first = JournalEntry.objects.get(case_id=row["case_id"], created_at=row["first"])
        assert "Syntetiske demodata" in first.text


def test_the_audit_trail_verifies_and_records_every_change(bulk: Seeded) -> None:
    result = verify_chain()
    assert result.ok, result.problems
    events = AuditEvent.objects.filter(case_id__in=bulk.case_ids)
    by_action = dict(events.values_list("action").annotate(n=Count("id")))
    ids = bulk.case_ids
    assert by_action["case.transition"] == CaseTransition.objects.filter(case_id__in=ids).count()
    assert by_action["journal.add"] == JournalEntry.objects.filter(case_id__in=ids).count()
    assert by_action["case.open"] == len(ids)
    assert by_action["inquiry.register"] == Inquiry.objects.filter(case_id__in=ids).count()
    assert by_action["consent.record"] == Consent.objects.filter(case_id__in=ids).count()
    assert by_action["agreement.save"] == ExitAgreement.objects.filter(case_id__in=ids).count()
    signed = TargetGroupAssessment.objects.filter(case_id__in=ids, signed_at__isnull=False)
    assert by_action["targetgroupassessment.sign"] == signed.count()
    # Sequence numbers and timestamps rise together, as in a live system.
    rows = list(events.order_by("seq").values_list("at", flat=True))
    assert sum(a > b for a, b in pairwise(rows)) <= len(rows) // 100
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "the chain is intact" in out.getvalue()


def test_early_warnings_are_mostly_resolved_by_the_worker_with_an_audit_record(
    bulk: Seeded,
) -> None:
    from vejud.followup.models import EarlyWarning

    warnings = EarlyWarning.objects.filter(case_id__in=bulk.case_ids).select_related("case")
    resolved = [w for w in warnings if w.resolved_at is not None]
    assert resolved  # most are resolved (WARNING_RESOLVED_SHARE)
    today = timezone.now()
    for warning in resolved:
        resolved_at = warning.resolved_at
        assert resolved_at is not None
        assert warning.raised_at < resolved_at < today
        assert warning.resolved_by_id is not None and warning.resolution_note
        if warning.case.closed_on is not None:
            assert timezone.localdate(resolved_at) <= warning.case.closed_on
    for warning in warnings:
        if warning.resolved_at is None:
            assert warning.resolved_by_id is None and not warning.resolution_note
    events = AuditEvent.objects.filter(action="early_warning.resolve", case_id__in=bulk.case_ids)
    assert sorted(events.values_list("object_id", flat=True)) == sorted(str(w.pk) for w in resolved)
    assert verify_chain().ok


def test_a_bulk_case_page_renders_for_a_national_user(bulk: Seeded) -> None:
    head = bulk.staff["head"]
    client = verified_client(head)
    for status in (CaseStatus.ADMITTED, CaseStatus.CLOSED, CaseStatus.ASSESSMENT):
        case = Case.objects.filter(id__in=bulk.case_ids, status=status).first()
        assert case is not None
        response = client.get(reverse("cases:detail", kwargs={"reference": case.reference}))
        assert response.status_code == 200, status
        assert case.reference in response.content.decode()


def test_lifecycle_audit_for_large_datasets_still_verifies(bulk: Seeded) -> None:
    last_case = max(bulk.case_ids)
    result = bulk_seed(cases=40, seed=4, staff=bulk.staff, full_audit=False)
    new = list(Case.objects.filter(id__gt=last_case).values_list("id", flat=True))
    assert len(new) == result.cases == 40
    assert stored_course_dates(new) == course_dates_from_rows(new)
    events = AuditEvent.objects.filter(case_id__in=new)
    assert events.filter(action="case.open").count() == 40
    assert not events.filter(action="journal.add").exists()
    assert events.filter(action="case.transition").count() == (
        CaseTransition.objects.filter(case_id__in=new).count()
    )
    assert verify_chain().ok


def test_grants_stay_within_each_years_budget(bulk: Seeded) -> None:
    applications = Application.objects.filter(case_id__in=bulk.case_ids)
    assert applications.exists()
    assert set(applications.values_list("case__status", flat=True)) <= {
        CaseStatus.ADMITTED,
        CaseStatus.CLOSED,
    }
    for year in BudgetYear.objects.filter(applications__in=applications).distinct():
        grants = Application.objects.filter(budget_year=year)
        committed = sum(a.approved_ore - a.released_ore for a in grants)
        paid = Payment.objects.filter(application__budget_year=year).aggregate(s=Sum("amount_ore"))
        assert year.committed_ore == committed
        assert year.paid_ore == (paid["s"] or 0)
        assert year.committed_ore <= year.budget_ore
        allocated = year.entries.filter(kind="allocation").aggregate(s=Sum("amount_ore"))["s"]
        assert allocated == year.budget_ore
    for application in applications:
        kinds = list(application.events.order_by("at", "id").values_list("kind", flat=True))
        assert kinds[0] == "submitted"
        assert application.guideline.valid_from <= application.submitted_at.date()
        if application.status == "submitted":
            assert kinds == ["submitted"]
        else:
            assert application.decided_at is not None
        assert application.paid_ore == sum(p.amount_ore for p in application.payments.all())


def test_the_dashboard_figures_after_a_bulk_load_match_counts_over_the_rows(bulk: Seeded) -> None:
    """The dashboard's figures (rebuilt after the COPY) against counts made here, by year."""
    from vejud.statistics.figures import figures_check
    from vejud.statistics.models import DashboardCount

    def figures(figure: str, detail: str | None = None) -> dict[tuple[int, int], int]:
        rows = DashboardCount.objects.filter(grain="y", figure=figure)
        if detail is not None:
            rows = rows.filter(detail=detail)
        totals: dict[tuple[int, int], int] = {}
        for period, unit, n in rows.values_list("period", "unit_id", "n"):
            if n:
                totals[(period.year, unit)] = totals.get((period.year, unit), 0) + n
        return totals

    def counted(rows: Any, year: str, unit: str) -> dict[tuple[int, int], int]:
        return {
            (y, u): n for y, u, n in rows.values_list(year, unit).annotate(n=Count("id")).order_by()
        }

    assert figures_check() == []
    assert figures("inflow") == counted(
        Case.objects.all(), "opened_on__year", "responsible_unit_id"
    )
    assert figures("moved", "assessment>admitted") == counted(
        CaseTransition.objects.filter(from_status="assessment", to_status="admitted"),
        "at__year",
        "case__responsible_unit_id",
    )
    assert figures("decision", "unit:refuse") == counted(
        Decision.objects.filter(level="unit", outcome="refuse"),
        "decided_at__year",
        "case__responsible_unit_id",
    )
    assert figures("closure", "completed") == counted(
        CaseClosure.objects.filter(reason="completed"),
        "closed_at__year",
        "case__responsible_unit_id",
    )
    assert figures("inflow")  # the load made cases in every year it spans
