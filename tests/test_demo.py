"""``vejud seed-demo``: a synthetic dataset made through the services, created once.

Seeding takes a few seconds, so the read-only checks share one dataset (``demo``):
it is made once for this module inside a transaction that is rolled back at the
end, and each test runs in its own savepoint inside it as usual.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_otp.oath import totp
from stdnum.dk import cpr as stdnum_cpr

from vejud.access.rules import scope_for
from vejud.accounts.models import (
    AuthenticatorDevice,
    Membership,
    Role,
    RoleGrant,
    RoleGrantStatus,
    User,
)
from vejud.assessments.models import (
    MotivationAssessment,
    SuitabilityAssessment,
    TargetGroupAssessment,
)
from vejud.audit.models import AuditEvent
from vejud.audit.services import verify_chain
from vejud.cases.models import (
    BreakGlassGrant,
    Case,
    CaseStatus,
    CaseTransition,
    JournalEntry,
    MentorAssignment,
    Track,
)
from vejud.courses.models import (
    ActionStatus,
    CaseClosure,
    CaseOffer,
    ClosureReason,
    ExitAgreement,
    MentorMeeting,
    PlanAction,
    PlanGoal,
)
from vejud.decisions.models import (
    Decision,
    DecisionLevel,
    DecisionOutcome,
    InformationRequest,
    Referral,
    RefusalGround,
)
from vejud.demo.seed import seed_demo
from vejud.demo.showcase import DEMO_DOMAIN, DEMO_PASSWORD, MIN_CASES, totp_secret_base32
from vejud.followup.models import EarlyWarning, Review, RiskEvent, WarningReason
from vejud.followup.services import review_due_on
from vejud.intake.models import Consent, Inquiry, MatchStatus, PossibleExistingPerson
from vejud.organisations.models import Unit, UnitKind
from vejud.people.models import (
    AccessRuleKind,
    AddressCustodian,
    Person,
    PersonAccessRule,
    ProtectedAddress,
)
from vejud.transfers.models import ReleasePlan, Transfer, TransferStatus
from vejud.transfers.services import release_plans_run

pytestmark = pytest.mark.django_db

SECRET_LINE = re.compile(r"^(\S+@demo\.vejud\.dk)\s+([A-Z2-7]{32})\s", re.MULTILINE)
# Cases beyond the showcase in the shared dataset: none, so the checks below see exactly the
# showcase; the bulk cases have their own tests (vejud/demo/tests/test_bulkseed.py).
BULK = 0
COUNTED = (
    User,
    Membership,
    AuthenticatorDevice,
    Unit,
    Person,
    Case,
    CaseTransition,
    JournalEntry,
    Inquiry,
    Consent,
    TargetGroupAssessment,
    MotivationAssessment,
    SuitabilityAssessment,
    Decision,
    Referral,
    InformationRequest,
    ExitAgreement,
    PlanGoal,
    PlanAction,
    CaseOffer,
    MentorAssignment,
    MentorMeeting,
    Review,
    RiskEvent,
    EarlyWarning,
    Transfer,
    ReleasePlan,
    CaseClosure,
    PersonAccessRule,
    ProtectedAddress,
    BreakGlassGrant,
    AuditEvent,
)


def seed(**options: object) -> str:
    out = StringIO()
    call_command("seed-demo", stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in COUNTED}


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """Seed the showcase once for the module; roll it all back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed(cases=MIN_CASES + BULK)
        transaction.set_rollback(True)


def test_second_run_adds_nothing_and_prints_the_logins_again(demo: str) -> None:
    before = counts()
    second = seed(cases=MIN_CASES + BULK)

    assert counts() == before
    assert before["Case"] == MIN_CASES + BULK
    assert "no demo cases added" in second
    assert SECRET_LINE.findall(demo) == SECRET_LINE.findall(second)


def test_a_later_run_does_the_good_release_job(demo: str) -> None:
    """Rough edge 1 (issue 14): the accepted release transfer waits for its day; a run of
    ``seed-demo`` after it (as the daily job would) moves the case to liberty."""
    waiting = Transfer.objects.select_related("case").get(track_changes_on__isnull=False)
    assert waiting.case.track == Track.CUSTODY
    day = waiting.track_changes_on
    with transaction.atomic():
        with time_machine.travel(timezone.make_aware(datetime(day.year, day.month, day.day, 9))):
            later = seed(cases=MIN_CASES + BULK)
        case = Case.objects.get(pk=waiting.case_id)
        assert "Good release: 1 case(s) released" in later
        assert (case.track, case.institution_id, case.release_on) == (Track.LIBERTY, None, day)
        transaction.set_rollback(True)


def test_prints_a_summary_and_the_showcase_cases(demo: str) -> None:
    assert f"Demo data created: {Person.objects.count()} persons, {MIN_CASES + BULK} cases" in demo
    summary = next(line for line in demo.splitlines() if "Cases by status:" in line)
    for status in CaseStatus.values:
        assert re.search(rf"\b{status} [1-9]", summary), status
    closures = next(line for line in demo.splitlines() if "Closures:" in line)
    for reason in ClosureReason.values:
        assert re.search(rf"\b{reason} [1-9]", closures), reason
    reopened = next(line for line in demo.splitlines() if "reopened" in line)
    assert re.search(r"EX-\d{4}-\d{5} \(new attempt EX-\d{4}-\d{5}\)", reopened)


def test_prints_every_demo_user_with_a_working_totp_secret(demo: str) -> None:
    printed = dict(SECRET_LINE.findall(demo))
    demo_users = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")
    assert set(printed) == set(demo_users.values_list("email", flat=True))
    assert DEMO_PASSWORD in demo
    assert "http://127.0.0.1:8000/" in demo
    for user in demo_users:
        assert user.check_password(DEMO_PASSWORD)
        device = AuthenticatorDevice.objects.get(user=user, confirmed=True)
        code = totp(base64.b32decode(printed[user.email]))
        assert device.verify_token(f"{code:06d}"), user.email
        assert printed[user.email] == totp_secret_base32(user.email)


def test_staff_of_every_role_in_the_units_they_belong_to(demo: str) -> None:
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    for unit in Unit.objects.filter(kind=UnitKind.LOCAL):
        unit_roles = set(unit.memberships.values_list("role", flat=True))
        assert {Role.UNIT_MEMBER, Role.UNIT_COORDINATOR} <= unit_roles, unit
    admin = User.objects.get(email=f"admin@{DEMO_DOMAIN}")
    assert scope_for(admin).roles == {Role.SYSTEM_ADMINISTRATOR}


def test_persons_are_synthetic_with_valid_cpr_numbers(demo: str) -> None:
    for person in Person.objects.all():
        assert stdnum_cpr.is_valid(person.cpr)
        # Generated to fail the old modulus-11 check, away from most real numbers.
        assert stdnum_cpr.checksum(person.cpr) != 0
        assert stdnum_cpr.get_birth_date(person.cpr) == person.birth_date
    for case in Case.objects.all():
        first = case.journal_entries.order_by("created_at", "id").first()
        assert first is not None and "Syntetiske demodata" in first.text, case


def test_every_status_is_reached_through_the_state_machine(demo: str) -> None:
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    walked: dict[int, str] = {}
    for step in CaseTransition.objects.order_by("case_id", "at", "id"):
        assert step.from_status == walked.get(step.case_id, CaseStatus.INQUIRY), step
        walked[step.case_id] = step.to_status
    for case in Case.objects.all():
        assert case.status == walked.get(case.pk, CaseStatus.INQUIRY), case
    transitions = AuditEvent.objects.filter(action="case.transition").count()
    assert transitions == CaseTransition.objects.count()
    assert not AuditEvent.objects.filter(action__startswith="demo.").exists()


def test_all_changes_are_in_a_verifiable_audit_trail(demo: str) -> None:
    result = verify_chain()
    assert result.ok, result.problems
    assert result.checked > 500
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "the chain is intact" in out.getvalue()


def test_refusals_on_each_ground_and_referrals_upheld_and_overturned(demo: str) -> None:
    refusals = Decision.objects.filter(level=DecisionLevel.UNIT, outcome=DecisionOutcome.REFUSE)
    grounds = {g for row in refusals.values_list("grounds", flat=True) for g in row}
    assert grounds == set(RefusalGround.values)
    outside = next(d for d in refusals if RefusalGround.OUTSIDE_TARGET_GROUP in d.grounds)
    assert outside.target_group is not None and outside.target_group.within_target_group is False

    finals = Decision.objects.filter(level=DecisionLevel.FINAL)
    upheld = finals.get(outcome=DecisionOutcome.UPHOLD)
    assert upheld.case.status == CaseStatus.REFUSAL_UPHELD
    overturned = finals.get(outcome=DecisionOutcome.OVERTURN)
    assert overturned.case.status == CaseStatus.ADMITTED
    assert overturned.case.referrals.get().information_requests.get().answered_at is not None

    waiting = Referral.objects.filter(final_decision__isnull=True, case__status="referred")
    assert waiting.count() == 2
    assert InformationRequest.objects.filter(
        referral__in=waiting, answered_at__isnull=True
    ).exists()


def test_instruments_drafted_signed_corrected_fear_only_and_parole_only(demo: str) -> None:
    assessing = Case.objects.filter(status=CaseStatus.ASSESSMENT)
    assert TargetGroupAssessment.objects.filter(case__in=assessing, signed_at__isnull=True).exists()
    assert MotivationAssessment.objects.filter(case__in=assessing, signed_at__isnull=False).exists()

    correction = MotivationAssessment.objects.get(supersedes__isnull=False)
    assert correction.version == 2 and correction.signed_at is not None
    assert correction.supersedes is not None and correction.supersedes.signed_at is not None
    assert correction.correction_reason

    fear = MotivationAssessment.objects.get(fear_only=True)
    assert fear.signed_at is not None and fear.fear_borne
    parole = MotivationAssessment.objects.get(parole_only_motive=True)
    assert parole.case.track == Track.CUSTODY


def test_active_courses_on_both_tracks_with_plan_offers_and_mentor(demo: str) -> None:
    today = timezone.localdate()
    for track in Track.values:
        courses = Case.objects.filter(
            status=CaseStatus.ADMITTED,
            track=track,
            agreement__isnull=False,
            plan_goals__isnull=False,
            plan_actions__isnull=False,
            offers__isnull=False,
            mentor_assignments__isnull=False,
            mentor_meetings__isnull=False,
        )
        assert courses.exists(), track
    open_actions = PlanAction.objects.exclude(status__in=[ActionStatus.DONE, ActionStatus.DROPPED])
    assert open_actions.filter(deadline__lt=today, case__status=CaseStatus.ADMITTED).exists()
    assert PlanAction.objects.filter(status=ActionStatus.DONE).exclude(outcome="").exists()
    flagged = MentorMeeting.objects.get(needs_attention=True)
    assert flagged.case.status == CaseStatus.ADMITTED

    def has_gap(case: Case) -> bool:
        motivation = case.motivation_assessments.filter(signed_at__isnull=False).last()
        given = set(case.offers.values_list("offer_type__code", flat=True))
        return motivation is not None and bool(set(motivation.help_wishes) - given)

    with_offers = Case.objects.filter(status=CaseStatus.ADMITTED, offers__isnull=False).distinct()
    assert any(has_gap(case) for case in with_offers)


def test_each_closure_reason_and_a_reopened_person(demo: str) -> None:
    closures = CaseClosure.objects.all()
    assert set(closures.values_list("reason", flat=True)) == set(ClosureReason.values)
    assert all(c.case.status == CaseStatus.CLOSED and c.summary for c in closures)
    reopened = Case.objects.get(previous_case__isnull=False)
    assert reopened.previous_case is not None
    assert reopened.previous_case.status == CaseStatus.CLOSED
    assert reopened.person_id == reopened.previous_case.person_id
    assert reopened.status == CaseStatus.INQUIRY
    assert AuditEvent.objects.filter(action="case.reopen", case_id=reopened.pk).exists()


def test_outcomes_after_the_course_recorded_and_one_due_for_the_coordinator(demo: str) -> None:
    from vejud.outcomes.models import CaseOutcome
    from vejud.worklist.selectors import TaskKind, tasks_for

    today = timezone.localdate()
    recorded = CaseOutcome.objects.select_related("case__closure")
    assert sorted(o.months for o in recorded) == [6, 6]
    assert all(o.case.closure.closed_at.date() < today for o in recorded)
    coordinator = User.objects.get(email=f"coordinator.koebenhavn@{DEMO_DOMAIN}")
    due = [t for t in tasks_for(coordinator) if t.kind == TaskKind.OUTCOME_DUE]
    assert len(due) == 1 and due[0].overdue
    assert AuditEvent.objects.filter(action="outcome.record").count() == 2


def test_follow_up_with_overdue_reviews_and_early_warnings(demo: str) -> None:
    today = timezone.localdate()
    reasons = set(EarlyWarning.objects.values_list("reason", flat=True))
    assert reasons == set(WarningReason.values)
    dip = EarlyWarning.objects.get(reason=WarningReason.MOTIVATION_DROP)
    assert dip.review.motivation_level <= 2
    risk = EarlyWarning.objects.get(reason=WarningReason.RISK_EVENT)
    assert risk.review.risk_events.exists()

    courses = Case.objects.filter(status=CaseStatus.ADMITTED)
    due = [review_due_on(case, case.reviews.order_by("reviewed_on").last()) for case in courses]
    assert any(d is not None and d < today for d in due)
    assert any(d is not None and d >= today for d in due)


def test_pending_transfers_between_local_units_and_from_arrest_to_custody(demo: str) -> None:
    pending = Transfer.objects.filter(status=TransferStatus.PENDING).select_related(
        "from_unit", "to_unit"
    )
    local = pending.filter(from_unit__kind=UnitKind.LOCAL, to_unit__kind=UnitKind.LOCAL)
    assert local.filter(from_track=Track.LIBERTY, to_track=Track.LIBERTY).exists()
    arrest = pending.get(from_track=Track.LIBERTY, to_track=Track.CUSTODY)
    assert arrest.to_institution is not None and arrest.to_unit.kind == UnitKind.DFK
    for transfer in pending:
        # Until the receiver accepts, the sender stays responsible.
        assert transfer.case.responsible_unit_id == transfer.from_unit_id


def test_release_plans_for_custody_cases_released_within_60_days(demo: str) -> None:
    horizon = timezone.localdate() + timedelta(days=60)
    plans = ReleasePlan.objects.select_related("case")
    assert plans.count() == 2
    for plan in plans:
        assert plan.case.track == Track.CUSTODY and plan.case.status == CaseStatus.ADMITTED
        assert plan.release_on == plan.case.release_on and plan.release_on <= horizon
        assert plan.receiving_unit is not None and plan.receiving_unit.kind == UnitKind.LOCAL
    missing = plans.get(transfer__isnull=True)
    assert missing.housing and not missing.income  # an unticked item becomes a task
    prepared = plans.get(transfer__isnull=False)
    assert prepared.transfer is not None and prepared.transfer.status == TransferStatus.ACCEPTED
    assert prepared.transfer.to_track == Track.LIBERTY
    # Accepted before the day: the local unit is responsible, the track changes on the date.
    assert prepared.transfer.track_changes_on == prepared.case.release_on
    assert prepared.case.responsible_unit == prepared.receiving_unit
    assert release_plans_run() == 0


def test_cases_cover_both_tracks_and_many_districts(demo: str) -> None:
    assert set(Case.objects.values_list("track", flat=True)) == set(Track.values)
    districts = Case.objects.filter(responsible_unit__kind=UnitKind.LOCAL).values(
        "responsible_unit"
    )
    assert districts.distinct().count() >= 6
    custody = Case.objects.filter(track=Track.CUSTODY)
    assert not custody.filter(institution__isnull=True).exists()
    # Cases that have left the inquiry stage have a consent on record.
    later = Case.objects.exclude(status__in=[CaseStatus.INQUIRY, CaseStatus.WITHDRAWN])
    assert not later.filter(consents__isnull=True).exists()


def test_one_protected_address_with_the_coordinator_as_custodian(demo: str) -> None:
    address = ProtectedAddress.objects.get()
    custodians = AddressCustodian.objects.filter(address=address)
    assert [c.user.email for c in custodians] == [f"coordinator.koebenhavn@{DEMO_DOMAIN}"]
    assert custodians[0].case.responsible_unit.code == "exit-koebenhavn"


def test_one_person_with_a_restriction_list_and_a_break_glass_grant_for_review(
    demo: str,
) -> None:
    restricted = PersonAccessRule.objects.filter(kind=AccessRuleKind.RESTRICTION)
    assert restricted.values("person").distinct().count() == 1
    excluded = PersonAccessRule.objects.get(kind=AccessRuleKind.EXCLUSION)
    assert excluded.user.email == f"member.fyn@{DEMO_DOMAIN}"
    grant = BreakGlassGrant.objects.get()
    assert grant.reviewed_at is None
    assert grant.user.email == f"member.fyn@{DEMO_DOMAIN}"


def test_one_role_grant_awaits_the_auditor_and_one_awaits_approval(demo: str) -> None:
    approved = RoleGrant.objects.get(status=RoleGrantStatus.APPROVED)
    assert approved.reviewed_at is None
    assert approved.decided_by_id not in (approved.requested_by_id, approved.user_id)
    assert approved.membership is not None
    pending = RoleGrant.objects.get(status=RoleGrantStatus.PENDING)
    assert pending.membership is None
    assert "Role grant awaiting approval" in demo


def test_one_possible_existing_person_awaits_copenhagen(demo: str) -> None:
    match = PossibleExistingPerson.objects.get()
    assert (match.status, match.unit.code, match.matched_on) == (
        MatchStatus.PENDING,
        "exit-koebenhavn",
        "cpr",
    )
    assert match.inquiry.registered_by.email == f"member.fyn@{DEMO_DOMAIN}"
    assert match.inquiry.case.person_id != match.existing_person_id
    assert "Possible existing person:" in demo


@override_settings(DEBUG=False, TESTING=False)
def test_refused_with_debug_off() -> None:
    before = counts()  # the shared dataset may exist already: nothing may change
    with pytest.raises(CommandError, match="DEBUG off"):
        seed(cases=20)
    with pytest.raises(RuntimeError, match="DEBUG off"):
        seed_demo(cases=20)
    assert counts() == before


def test_the_central_pool_two_years_every_status_and_a_category_near_its_cap(demo: str) -> None:
    from django.db.models import Avg, F, Sum

    from vejud.core.uploads import sniff_content_type
    from vejud.pool.models import (
        Application,
        ApplicationStatus,
        Attachment,
        BudgetEntry,
        BudgetYear,
        CategoryFrame,
        Guideline,
        Payment,
    )
    from vejud.pool.services import attachment_content

    today = timezone.localdate()
    assert list(BudgetYear.objects.order_by("year").values_list("year", flat=True)) == [
        today.year - 1,
        today.year,
    ]
    # Last year is closed out: everything committed is paid, and unused money was released.
    last = BudgetYear.objects.get(year=today.year - 1)
    assert last.paid_ore == last.committed_ore > 0
    assert Application.objects.filter(budget_year=last, released_ore__gt=0).exists()
    assert not Application.objects.filter(
        budget_year=last, status__in=["submitted", "info_requested"]
    ).exists()
    # This year: DKK 2 million in category frames, adjusted by audited entries.
    this = BudgetYear.objects.get(year=today.year)
    assert this.budget_ore == 2_000_000 * 100
    kinds = set(BudgetEntry.objects.filter(budget_year=this).values_list("kind", flat=True))
    assert kinds == {"allocation", "reallocation"}
    frames = CategoryFrame.objects.filter(budget_year=this)
    assert frames.count() == 5
    assert frames.aggregate(s=Sum("budget_ore"))["s"] < this.budget_ore
    near = [f for f in frames if 0.9 <= f.committed_ore / f.budget_ore < 1]
    assert [f.category for f in near] == ["tattoo_removal"]
    # ... and an application waiting there for more than the frame has left.
    assert Application.objects.filter(
        budget_year=this,
        category="tattoo_removal",
        status="submitted",
        amount_ore__gt=near[0].available_ore,
    ).exists()

    assert set(Application.objects.values_list("status", flat=True)) == set(
        ApplicationStatus.values
    )
    granted = Application.objects.filter(status__in=["approved", "partly_approved"])
    assert granted.filter(paid_ore=0).exists()  # not yet paid
    partly_paid = granted.filter(paid_ore__gt=0, released_ore=0)
    assert partly_paid.exclude(paid_ore=F("approved_ore")).exists()
    assert granted.filter(released_ore__gt=0, budget_year=this).exists()
    average = granted.aggregate(a=Avg("approved_ore"))["a"] / 100
    assert 20_000 <= average <= 28_000, average
    over = Application.objects.get(over_cap=True)
    assert over.over_cap_reason and over.amount_ore > over.guideline.cap_per_grant_ore
    assert Application.objects.filter(plan_action__isnull=False).exists()
    # Several units apply, DfK among them (for a custody case).
    units = set(Application.objects.values_list("applying_unit__kind", "applying_unit__code"))
    assert len(units) >= 6 and ("dfk", "dfk") in units
    # Quotes and invoices are real PDFs, stored encrypted.
    documents = list(Attachment.objects.all())
    assert {d.kind for d in documents} == {"quote", "invoice"}
    for document in documents:
        data = attachment_content(document)
        assert sniff_content_type(data) == "application/pdf" == document.content_type
        assert b"syntetiske demodata" in data
    # Guidelines for every category; one revised this year, its earlier version ended.
    assert set(Guideline.objects.values_list("category", flat=True)) == {
        "relocation",
        "tattoo_removal",
        "psychologist",
        "moving",
        "other",
    }
    ended = Guideline.objects.get(valid_to__isnull=False)
    assert ended.valid_to == today.replace(month=1, day=1) - timedelta(days=1)
    assert Payment.objects.filter(paid_on__year=today.year).count() >= 5
    assert "Central pool: budgets for" in demo
    assert "tattoo removal 95 % committed" in demo

    before = (Application.objects.count(), Payment.objects.count(), BudgetEntry.objects.count())
    seed(cases=MIN_CASES + BULK)
    after = (Application.objects.count(), Payment.objects.count(), BudgetEntry.objects.count())
    assert after == before


def test_a_year_of_training_with_a_waiting_list_attendance_and_expired_completions(
    demo: str,
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from vejud.training.models import (
        Attendance,
        Completion,
        Registration,
        RegistrationStatus,
        Session,
        SessionStatus,
    )

    assert "Training:" in demo
    today = timezone.localdate()
    starts = [s.days.first().starts_at.date() for s in Session.objects.all()]
    assert min(starts) <= today - timedelta(days=180) and max(starts) >= today + timedelta(days=60)
    assert Session.objects.filter(status=SessionStatus.HELD).count() >= 5
    assert Session.objects.filter(status=SessionStatus.FULL).exists()
    assert Registration.objects.filter(status=RegistrationStatus.WAITING).exists()
    assert Registration.objects.filter(status=RegistrationStatus.OFFERED).exists()
    assert Registration.objects.filter(status=RegistrationStatus.ATTENDED).exists()
    assert Attendance.objects.count() > 50
    completions = list(Completion.objects.all())
    assert any(c.valid_until and c.valid_until < today for c in completions)  # expired
    assert any(c.registration_id for c in completions)


def test_the_demo_training_pages_show_the_data(demo: str) -> None:
    from django.urls import reverse

    from vejud.accounts.models import User
    from vejud.testing import verified_client
    from vejud.training.models import Session, SessionStatus

    full = Session.objects.get(status=SessionStatus.FULL)
    # Demo users read Danish.
    for email, page, shown in [
        ("adviser", "catalogue", "Grundkursus i exitarbejde"),
        ("adviser", "coverage", "Udløbet eller mangler for rollen"),
        ("coordinator.koebenhavn", "coverage", "Pr. enhed"),
        ("coordinator.koebenhavn", "mine", "Krævet for din rolle"),
        ("analyst", "coverage", "Pr. politikreds"),
    ]:
        client = verified_client(User.objects.get(email=f"{email}@demo.vejud.dk"))
        response = client.get(reverse(f"training:{page}"))
        assert response.status_code == 200, (email, page)
        assert shown in response.content.decode(), (email, page)
    adviser = verified_client(User.objects.get(email="adviser@demo.vejud.dk"))
    session_page = adviser.get(reverse("training:session", kwargs={"session_id": full.pk}))
    body = session_page.content.decode()
    assert "På venteliste" in body and "Tilbudt en plads" in body


def test_advice_requests_in_every_state_across_units_with_response_times(demo: str) -> None:
    from django.urls import reverse

    from vejud.accounts.models import User
    from vejud.advice.models import AdviceRequest, AdviceStatus
    from vejud.advice.selectors import answer_hours, first_response_hours
    from vejud.testing import verified_client

    requests = list(AdviceRequest.objects.select_related("unit"))
    assert {r.status for r in requests} == set(AdviceStatus.values)
    assert len({r.unit_id for r in requests}) >= 4
    assert any(r.case_id for r in requests) and any(r.case_id is None for r in requests)
    urgent = next(r for r in requests if r.urgency == "urgent")
    assert first_response_hours(urgent) is not None and first_response_hours(urgent) <= 1
    assert all(answer_hours(r) is not None for r in requests if r.status == AdviceStatus.ANSWERED)
    queue = verified_client(User.objects.get(email="adviser@demo.vejud.dk"))
    assert "Svartider" in queue.get(reverse("advice:queue")).content.decode()
    mine = verified_client(User.objects.get(email="member.koebenhavn@demo.vejud.dk"))
    assert "Anmodning" in mine.get(reverse("advice:mine")).content.decode()


def test_case_documents_show_the_mentor_only_those_marked_for_the_mentor(demo: str) -> None:
    from vejud.accounts.models import User
    from vejud.casedocs.models import CaseDocument
    from vejud.testing import verified_client

    assert "Case documents (mentor sees two of three)" in demo
    documents = list(CaseDocument.objects.select_related("case"))
    cases = {d.case for d in documents}
    assert len(cases) == 2 and len(documents) == 6
    case = next(c for c in cases if c.responsible_unit.code == "exit-koebenhavn")
    member = verified_client(User.objects.get(email="member.koebenhavn@demo.vejud.dk"))
    mentor = verified_client(User.objects.get(email="mentor.koebenhavn@demo.vejud.dk"))
    seen = member.get(case.get_absolute_url()).content.decode()
    assert "Exitaftale, underskrevet" in seen and "Brev fra boligselskabet" in seen
    mentor_seen = mentor.get(case.get_absolute_url()).content.decode()
    assert "Exitaftale, underskrevet" in mentor_seen
    assert "Brev fra boligselskabet" not in mentor_seen


def test_exits_on_own_hand_are_recorded_and_counted(demo: str) -> None:
    from vejud.accounts.models import User
    from vejud.statistics.models import OwnExit
    from vejud.testing import verified_client

    assert "Exits on own hand: 90 recorded" in demo
    assert OwnExit.objects.count() == 90
    assert OwnExit.objects.values("unit").distinct().count() > 1
    analyst = verified_client(User.objects.get(email="analyst@demo.vejud.dk"))
    page = analyst.get("/statistik/").content.decode()
    assert "Exit på egen hånd" in page
    coordinator = verified_client(User.objects.get(email="coordinator.koebenhavn@demo.vejud.dk"))
    assert coordinator.get("/statistik/egne-exits/").status_code == 200
