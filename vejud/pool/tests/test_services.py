"""The pool's services: budgets, guidelines, applications, decisions, payments and releases."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from vejud.audit.models import AuditEvent
from vejud.audit.services import audited
from vejud.pool import models as pool_models
from vejud.pool.models import (
    Application,
    ApplicationStatus,
    Attachment,
    BudgetYear,
    Category,
    CategoryFrame,
    EntryKind,
    Payment,
)
from vejud.pool.services import (
    InsufficientBudget,
    application_answer,
    application_decide,
    application_withdraw,
    attachment_add,
    attachment_content,
    budget_entry_add,
    grant_release,
    guideline_in_force,
    guideline_publish,
    payment_register,
)
from vejud.testing.pool import (
    KR,
    add_entry,
    make_application,
    make_grant,
    make_pool,
    make_pool_case,
    pay,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png() -> bytes:
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def pool(world):
    return make_pool(world, budget_kr=100_000)


@pytest.fixture
def case(world, pool):
    return make_pool_case(world)


def _year(pool: BudgetYear) -> BudgetYear:
    return BudgetYear.objects.get(pk=pool.pk)


# --- Money is integers end to end ---------------------------------------------------------


def test_no_money_field_of_any_pool_model_can_hold_a_float():
    """Every amount is an integer column; no float or decimal field exists in the pool."""
    money_fields = []
    for model in (
        pool_models.BudgetYear,
        pool_models.CategoryFrame,
        pool_models.BudgetEntry,
        pool_models.Guideline,
        pool_models.Application,
        pool_models.ApplicationEvent,
        pool_models.Payment,
    ):
        for field in model._meta.get_fields():
            assert not isinstance(field, models.FloatField | models.DecimalField), field
            if field.name.endswith("_ore"):
                assert isinstance(field, models.BigIntegerField), field
                money_fields.append(f"{model.__name__}.{field.name}")
    assert len(money_fields) >= 15


def test_services_refuse_float_amounts(world, case):
    with pytest.raises(ValidationError) as raised:
        make_application(world, case, amount_kr=0.5)  # 50.0 øre as a float
    assert raised.value.code == "amount_type"
    assert not Application.objects.exists()


def test_amounts_come_back_as_int(world, case):
    grant = make_grant(world, case, amount_kr=12_345)
    grant.refresh_from_db()
    year = _year(grant.budget_year)
    for value in (grant.amount_ore, grant.approved_ore, year.budget_ore, year.committed_ore):
        assert type(value) is int
    assert year.committed_ore == 1_234_500


# --- Budget years and entries -------------------------------------------------------------


def test_budget_entries_allocate_reallocate_and_reduce(world, pool):
    add_entry(
        world,
        pool,
        EntryKind.REALLOCATION,
        30_000,
        "Frame for safehouses.",
        to_category=Category.RELOCATION,
    )
    add_entry(
        world,
        pool,
        EntryKind.REALLOCATION,
        5_000,
        "Move to psychologist.",
        from_category=Category.RELOCATION,
        to_category=Category.PSYCHOLOGIST,
    )
    add_entry(world, pool, EntryKind.ALLOCATION, 20_000, "Extra appropriation.")
    add_entry(world, pool, EntryKind.REDUCTION, 1_000, "Savings.")
    year = _year(pool)
    assert year.budget_ore == 119_000 * KR
    frames = {f.category: f.budget_ore for f in CategoryFrame.objects.filter(budget_year=year)}
    assert frames == {Category.RELOCATION: 25_000 * KR, Category.PSYCHOLOGIST: 5_000 * KR}
    assert year.entries.count() == 5
    assert AuditEvent.objects.filter(action__startswith="pool.budget_").count() == 5


def test_reallocation_cannot_take_more_than_is_unframed(world, pool):
    with pytest.raises(ValidationError) as raised:
        add_entry(
            world, pool, EntryKind.REALLOCATION, 100_001, "Too much.", to_category=Category.OTHER
        )
    assert raised.value.code == "unframed"
    assert not CategoryFrame.objects.exists()


def test_reduction_cannot_go_below_committed(world, case, pool):
    make_grant(world, case, amount_kr=40_000)
    with pytest.raises(ValidationError) as raised:
        add_entry(world, pool, EntryKind.REDUCTION, 60_001, "Cut.")
    assert raised.value.code == "below_committed"
    assert _year(pool).budget_ore == 100_000 * KR


def test_only_the_national_point_manages_budgets(world, pool):
    for role in ("member_a", "coordinator_a", "adviser", "analyst", "sysadmin"):
        with pytest.raises(PermissionDenied):
            budget_entry_add(
                actor=world.users[role],
                budget_year=pool,
                kind=EntryKind.ALLOCATION,
                amount_ore=KR,
                reason="No.",
            )
    assert _year(pool).budget_ore == 100_000 * KR


def test_budget_totals_cannot_be_edited_above_budget_even_directly(world, pool):
    """The check constraints hold even for code that goes around the services."""
    with pytest.raises(IntegrityError), transaction.atomic(), audited():
        BudgetYear.objects.filter(pk=pool.pk).update(committed_ore=pool.budget_ore + 1)


# --- Guidelines ---------------------------------------------------------------------------


def test_a_new_guideline_ends_the_one_in_force(world, pool):
    today = timezone.localdate()
    old = guideline_in_force(Category.TATTOO_REMOVAL)
    assert old is not None and old.valid_to is None
    new = guideline_publish(
        actor=world.head,
        category=Category.TATTOO_REMOVAL,
        description="Higher cap from tomorrow.",
        cap_per_grant_ore=60_000 * KR,
        cap_per_person_year_ore=120_000 * KR,
        required_documentation="Quote.",
        valid_from=today + timedelta(days=1),
    )
    old.refresh_from_db()
    assert old.valid_to == today
    assert guideline_in_force(Category.TATTOO_REMOVAL) == old
    assert guideline_in_force(Category.TATTOO_REMOVAL, today + timedelta(days=1)) == new
    with pytest.raises(ValidationError) as raised:
        guideline_publish(
            actor=world.head,
            category=Category.TATTOO_REMOVAL,
            description="Overlapping.",
            cap_per_grant_ore=KR,
            cap_per_person_year_ore=KR,
            required_documentation="Quote.",
            valid_from=today,
        )
    assert raised.value.code == "overlap"


# --- Applications -------------------------------------------------------------------------


def test_the_guideline_in_force_is_recorded_on_the_application(world, case):
    application = make_application(world, case)
    assert application.guideline == guideline_in_force(Category.TATTOO_REMOVAL)
    assert application.applying_unit == world.unit_a
    assert application.status == ApplicationStatus.SUBMITTED
    # A later guideline does not change what the application was made under.
    guideline_publish(
        actor=world.head,
        category=Category.TATTOO_REMOVAL,
        description="New rules.",
        cap_per_grant_ore=KR,
        cap_per_person_year_ore=KR,
        required_documentation="Quote.",
        valid_from=timezone.localdate() + timedelta(days=1),
    )
    application.refresh_from_db()
    assert application.guideline.cap_per_grant_ore == 50_000 * KR


def test_an_application_above_the_cap_needs_a_reason_and_is_flagged(world, case):
    with pytest.raises(ValidationError) as raised:
        make_application(world, case, amount_kr=50_001)
    assert raised.value.code == "over_cap_reason"
    assert not Application.objects.exists()
    application = make_application(
        world, case, amount_kr=50_001, over_cap_reason="Extensive facial tattoos."
    )
    assert application.over_cap and application.over_cap_reason == "Extensive facial tattoos."
    within = make_application(world, case, amount_kr=100, over_cap_reason="Not needed.")
    assert not within.over_cap and within.over_cap_reason == ""


def test_the_cap_per_person_per_year_counts_earlier_grants(world, case):
    make_grant(world, case, amount_kr=45_000)
    make_application(world, case, amount_kr=45_000)  # pending: 90,000 of 100,000
    with pytest.raises(ValidationError) as raised:
        make_application(world, case, amount_kr=10_001)
    assert raised.value.code == "over_cap_reason"
    assert make_application(world, case, amount_kr=10_000).over_cap is False


def test_applying_needs_an_active_case_a_budget_year_and_the_case_unit(world, pool):
    case = make_pool_case(world)
    with pytest.raises(PermissionDenied):
        make_application(world, case, actor=world.member_b)
    with pytest.raises(PermissionDenied):
        make_application(world, case, actor=world.adviser)  # national roles decide, not apply
    next_year = date(timezone.localdate().year + 1, 1, 5)
    with pytest.raises(ValidationError) as raised:
        make_application(world, case, period_from=next_year, period_to=next_year)
    assert raised.value.code == "no_budget_year"
    with pytest.raises(ValidationError) as raised:
        make_application(world, case, purpose="  ")
    assert raised.value.code == "purpose"
    assert not Application.objects.exists()


def test_an_inquiry_is_not_yet_an_active_case(world, pool):
    from vejud.testing import make_case

    inquiry = make_case(world.coordinator_a, world.unit_a)
    with pytest.raises(ValidationError) as raised:
        make_application(world, inquiry)
    assert raised.value.code == "case_status"


# --- Decisions ----------------------------------------------------------------------------


def test_partial_approval_commits_the_approved_amount(world, case, pool):
    application = make_application(world, case, amount_kr=20_000)
    decided = application_decide(
        actor=world.decision_maker,
        application=application,
        outcome="approve_partly",
        amount_ore=15_000 * KR,
        reason="The guideline covers four sessions.",
    )
    assert decided.status == ApplicationStatus.PARTLY_APPROVED
    assert decided.approved_ore == 15_000 * KR
    assert _year(pool).committed_ore == 15_000 * KR
    with pytest.raises(ValidationError):
        application_decide(
            actor=world.decision_maker, application=decided, outcome="refuse", reason="x"
        )


def test_a_partial_approval_is_less_than_applied_for(world, case, pool):
    application = make_application(world, case, amount_kr=20_000)
    with pytest.raises(ValidationError) as raised:
        application_decide(
            actor=world.decision_maker,
            application=application,
            outcome="approve_partly",
            amount_ore=20_000 * KR,
            reason="Same.",
        )
    assert raised.value.code == "amount_partial"
    assert _year(pool).committed_ore == 0


def test_refusal_and_questions_need_a_reason_and_commit_nothing(world, case, pool):
    application = make_application(world, case)
    with pytest.raises(ValidationError):
        application_decide(actor=world.decision_maker, application=application, outcome="refuse")
    asked = application_decide(
        actor=world.decision_maker,
        application=application,
        outcome="ask",
        reason="Send the clinic's quote.",
    )
    assert asked.status == ApplicationStatus.INFO_REQUESTED
    answered = application_answer(actor=world.member_a, application=asked, answer="Attached.")
    assert answered.status == ApplicationStatus.SUBMITTED
    refused = application_decide(
        actor=world.decision_maker, application=answered, outcome="refuse", reason="Not covered."
    )
    assert refused.status == ApplicationStatus.REFUSED
    assert _year(pool).committed_ore == 0
    kinds = list(refused.events.values_list("kind", flat=True))
    assert kinds == ["submitted", "ask", "answer", "refuse"]


def test_only_the_national_decision_maker_decides(world, case):
    application = make_application(world, case)
    for role in ("member_a", "coordinator_a", "adviser", "head", "custody", "analyst"):
        with pytest.raises(PermissionDenied):
            application_decide(actor=world.users[role], application=application, outcome="approve")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_an_approval_never_goes_above_the_year(world, case, pool):
    make_grant(world, case, amount_kr=50_000)
    make_grant(world, case, amount_kr=40_000, category=Category.PSYCHOLOGIST)
    application = make_application(world, case, amount_kr=10_001, category=Category.MOVING)
    with pytest.raises(InsufficientBudget) as raised:
        application_decide(actor=world.decision_maker, application=application, outcome="approve")
    assert raised.value.code == "insufficient_budget"
    assert "Not enough budget left" in raised.value.messages[0]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert _year(pool).committed_ore == 90_000 * KR


def test_an_approval_never_goes_above_the_category_frame(world, case, pool):
    add_entry(
        world,
        pool,
        EntryKind.REALLOCATION,
        5_000,
        "Small frame.",
        to_category=Category.TATTOO_REMOVAL,
    )
    application = make_application(world, case, amount_kr=5_001)
    with pytest.raises(InsufficientBudget):
        application_decide(actor=world.decision_maker, application=application, outcome="approve")
    frame = CategoryFrame.objects.get(category=Category.TATTOO_REMOVAL)
    assert frame.committed_ore == 0
    smaller = make_application(world, case, amount_kr=5_000)
    application_decide(actor=world.decision_maker, application=smaller, outcome="approve")
    frame.refresh_from_db()
    assert frame.committed_ore == frame.budget_ore == 5_000 * KR


def test_withdrawing_an_undecided_application(world, case):
    application = make_application(world, case)
    withdrawn = application_withdraw(
        actor=world.member_a, application=application, reason="Paid by the municipality."
    )
    assert withdrawn.status == ApplicationStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        application_decide(actor=world.decision_maker, application=withdrawn, outcome="approve")


def test_a_stale_version_is_refused(world, case):
    application = make_application(world, case)
    application_decide(
        actor=world.decision_maker,
        application=application,
        outcome="ask",
        reason="Which clinic?",
        expected_version=application.version,
    )
    with pytest.raises(ValidationError) as raised:
        application_decide(
            actor=world.decision_maker,
            application=application,
            outcome="approve",
            expected_version=application.version,
        )
    assert raised.value.code == "stale"


# --- Payments and releases ----------------------------------------------------------------


def test_payments_can_never_exceed_the_approval(world, case, pool):
    grant = make_grant(world, case, amount_kr=10_000)
    today = timezone.localdate()
    pay(world, grant, 6_000, invoice="F-1001", on=today)
    with pytest.raises(ValidationError) as raised:
        payment_register(
            actor=world.head,
            application=grant,
            paid_on=today,
            amount_ore=4_000 * KR + 1,
            invoice_reference="F-1002",
        )
    assert raised.value.code == "over_approved"
    payment_register(
        actor=world.decision_maker,
        application=grant,
        paid_on=today,
        amount_ore=4_000 * KR,
        invoice_reference="F-1002",
    )
    grant.refresh_from_db()
    assert grant.paid_ore == grant.approved_ore == 10_000 * KR
    assert _year(pool).paid_ore == 10_000 * KR
    assert Payment.objects.count() == 2


def test_payments_only_on_approved_grants_and_never_in_the_future(world, case):
    application = make_application(world, case)
    with pytest.raises(ValidationError):
        payment_register(
            actor=world.head,
            application=application,
            paid_on=timezone.localdate(),
            amount_ore=KR,
            invoice_reference="F-1",
        )
    grant = make_grant(world, case)
    with pytest.raises(ValidationError):
        payment_register(
            actor=world.head,
            application=grant,
            paid_on=timezone.localdate() + timedelta(days=1),
            amount_ore=KR,
            invoice_reference="F-1",
        )
    with pytest.raises(PermissionDenied):
        payment_register(
            actor=world.coordinator_a,
            application=grant,
            paid_on=timezone.localdate(),
            amount_ore=KR,
            invoice_reference="F-1",
        )
    assert not Payment.objects.exists()


def test_releasing_unused_money_returns_it_to_the_budget(world, case, pool):
    grant = make_grant(world, case, amount_kr=10_000)
    pay(world, grant, 7_000, invoice="F-7")
    released = grant_release(actor=world.head, application=grant, reason="Treatment ended early.")
    assert released.released_ore == 3_000 * KR
    assert released.unpaid_ore == 0
    year = _year(pool)
    assert year.committed_ore == 7_000 * KR and year.paid_ore == 7_000 * KR
    with pytest.raises(ValidationError):
        payment_register(
            actor=world.head,
            application=released,
            paid_on=timezone.localdate(),
            amount_ore=1,
            invoice_reference="F-8",
        )


# --- Attachments --------------------------------------------------------------------------


def test_attachments_are_sniffed_size_limited_and_encrypted(world, case, settings):
    application = make_application(world, case)
    pdf = attachment_add(
        actor=world.member_a, application=application, kind="quote", filename="tilbud.pdf", data=PDF
    )
    png = attachment_add(
        actor=world.member_a,
        application=application,
        kind="invoice",
        filename="../../etc/faktura.exe",
        data=_png(),
    )
    assert (pdf.content_type, png.content_type) == ("application/pdf", "image/png")
    assert png.filename == "faktura.png"
    stored = bytes(Attachment.objects.get(pk=pdf.pk).content)
    assert PDF not in stored and attachment_content(pdf) == PDF
    for data in (b"MZ\x90\x00 not a pdf", b"%PDF-1.4 truncated", b"\x89PNG\r\n\x1a\nbroken", b""):
        with pytest.raises(ValidationError):
            attachment_add(
                actor=world.member_a,
                application=application,
                kind="quote",
                filename="x.pdf",
                data=data,
            )
    settings.VEJUD_POOL_ATTACHMENT_MAX_BYTES = len(PDF) - 1
    with pytest.raises(ValidationError) as raised:
        attachment_add(
            actor=world.member_a, application=application, kind="quote", filename="x.pdf", data=PDF
        )
    assert raised.value.code == "too_large"
    assert application.attachments.count() == 2
    with pytest.raises(PermissionDenied):
        attachment_add(
            actor=world.member_b, application=application, kind="quote", filename="x.pdf", data=PDF
        )


# --- Audit --------------------------------------------------------------------------------


def test_every_change_is_in_the_audit_trail(world, case, pool):
    before = AuditEvent.objects.count()
    application = make_application(world, case, amount_kr=10_000)
    attachment_add(
        actor=world.member_a, application=application, kind="quote", filename="q.pdf", data=PDF
    )
    application = application_decide(
        actor=world.decision_maker,
        application=application,
        outcome="approve_partly",
        amount_ore=8_000 * KR,
        reason="Cap.",
    )
    pay(world, application, 5_000, invoice="F-9")
    grant_release(actor=world.head, application=application, reason="Done.")
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True)[before:])
    assert actions == [
        "pool.apply",
        "pool.attachment_add",
        "pool.approve_partly",
        "pool.payment",
        "pool.release",
    ]
    events = AuditEvent.objects.filter(action__startswith="pool.", case_id=case.pk)
    assert events.count() == 5
    assert all(e.person_id == case.person_id for e in events)


# Committed for real: PostgreSQL's guard looks for an audit record of the transaction at commit,
# and the audited writes above would share the test's one transaction.
@pytest.mark.django_db(transaction=True)
def test_pool_tables_refuse_writes_outside_an_audit_scope(world, case, pool):
    application = make_application(world, case)
    with pytest.raises(Exception, match="audit scope"), transaction.atomic():
        Application.objects.filter(pk=application.pk).update(supplier="Somebody else")
