from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from vejud.audit.guard import GUARDED_MODELS, missing_triggers
from vejud.audit.services import AuditMissingError, audited, verify_chain
from vejud.people.models import Person
from vejud.testing import make_case

# Refusals are tested with real commits: PostgreSQL's guard looks for an audit record of the
# writing transaction when it commits, and a test's own transaction holds the audited writes
# made while it set up its data.
committed = pytest.mark.django_db(transaction=True)
POSTGRESQL = connection.vendor == "postgresql"


def test_every_guarded_table_has_its_triggers(db):
    assert GUARDED_MODELS
    assert missing_triggers(connection) == []


@committed
def test_direct_write_without_audit_scope_is_refused(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(
            first_name="X", last_name="Y", birth_date="2000-01-01", name_search="x y"
        )


@committed
def test_scope_without_audit_record_cannot_commit(world):
    with pytest.raises(AuditMissingError), audited():
        Person.objects.create(
            first_name="X", last_name="Y", birth_date="2000-01-01", name_search="x y"
        )
    assert not Person.objects.filter(name_search="x y").exists()


def test_services_write_a_verifiable_chain(world):
    make_case(world.coordinator_a, world.unit_a)
    result = verify_chain()
    assert result.ok, result.problems
    assert result.checked == 2


def _populate_every_case_and_person_table(world, sensitive) -> None:
    """Give each guarded table of people and cases at least one row, made through the services."""
    from vejud.cases.services import break_glass_open, journal_add, mentor_assign
    from vejud.people.models import AccessRuleKind
    from vejud.people.services import person_access_rule_add

    case = sensitive.case
    journal_add(actor=world.coordinator_a, case=case, text="First meeting held.")
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    break_glass_open(
        actor=world.member_b, reference=case.reference, reason="Urgent: the person called our unit"
    )
    person_access_rule_add(
        actor=world.coordinator_a,
        person=case.person,
        kind=AccessRuleKind.EXCLUSION,
        user=world.member_b,
        message="Conflict of interest",
    )


def _commit(*statements: str, params: list | None = None, immediate: bool = False) -> None:
    """Run ``statements`` (the last with ``params``) in one transaction of their own."""
    with transaction.atomic(), connection.cursor() as cursor:
        if immediate and POSTGRESQL:
            # The guard runs at commit; run it at the statement so that it, not a
            # (likewise deferred) foreign key, is what refuses a row's deletion.
            cursor.execute("SET CONSTRAINTS vejud_audit_guard IMMEDIATE")
        for sql in statements[:-1]:
            cursor.execute(sql)
        cursor.execute(statements[-1], params or [])


def _refused(sql: str, params: list | None = None) -> str:
    """Run ``sql`` in a transaction of its own; return the refusal."""
    with pytest.raises(DatabaseError) as excinfo:
        _commit(sql, params=params, immediate=True)
    return str(excinfo.value)


@committed
def test_every_guarded_model_refuses_direct_writes(world, sensitive):
    _populate_every_case_and_person_table(world, sensitive)
    qn = connection.ops.quote_name
    covered = set()
    for model in GUARDED_MODELS:
        table, pk = qn(model._meta.db_table), qn(str(model._meta.pk.column))
        if not POSTGRESQL:
            # (PostgreSQL refuses an empty row as NOT NULL before the guard looks.)
            assert "audit scope" in _refused(f"INSERT INTO {table} DEFAULT VALUES"), model
        row_pk = model._default_manager.values_list("pk", flat=True).first()
        if row_pk is None:
            # The triggers are per row: with no row there is nothing to refuse.
            continue
        assert "audit scope" in _refused(
            f"UPDATE {table} SET {pk} = {pk} WHERE {pk} = %s", [row_pk]
        ), model
        assert "audit scope" in _refused(f"DELETE FROM {table} WHERE {pk} = %s", [row_pk]), model
        if row_pk is not None:
            covered.add(model._meta.label)
            assert model._default_manager.filter(pk=row_pk).exists()
    assert {
        "people.Person",
        "people.ProtectedAddress",
        "people.AddressCustodian",
        "people.PersonAccessRule",
        "cases.Case",
        "cases.JournalEntry",
        "cases.MentorAssignment",
        "cases.BreakGlassGrant",
    } <= covered


@committed
def test_orm_writes_outside_a_scope_are_refused(world, sensitive):
    person = sensitive.case.person
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=person.pk).update(phone="12345678")
    person.phone = "12345678"
    with pytest.raises(IntegrityError), transaction.atomic():
        person.save(update_fields=["phone"])
    person.refresh_from_db()
    assert person.phone == ""


def _pool_rows(world):
    """Give each of the pool's append-only tables a row, through the services."""
    from django.utils import timezone

    from vejud.pool.services import payment_register
    from vejud.testing.pool import make_grant, make_pool, make_pool_case

    make_pool(world, budget_kr=10_000)
    grant = make_grant(world, make_pool_case(world), amount_kr=100)
    payment_register(
        actor=world.head,
        application=grant,
        paid_on=timezone.localdate(),
        amount_ore=100,
        invoice_reference="F-1",
    )


def test_audit_and_access_tables_refuse_update_and_delete(world, sensitive):
    from vejud.audit.guard import APPEND_ONLY_MODELS, GUARDED_MODELS
    from vejud.audit.models import AccessLog, AuditEvent
    from vejud.audit.services import log_access

    log_access(user=world.coordinator_a, part="summary", case_id=sensitive.case.pk)
    _pool_rows(world)  # budget entries, application events, payments
    assert {AuditEvent, AccessLog} <= set(APPEND_ONLY_MODELS)
    qn = connection.ops.quote_name
    for model in APPEND_ONLY_MODELS:
        table, pk = qn(model._meta.db_table), qn(str(model._meta.pk.column))
        row_pk = model._default_manager.values_list("pk", flat=True).first()
        assert row_pk is not None, model
        # A table that is also guarded may refuse first for want of an audit scope; with two
        # roles (vejud.audit.roles) the application's role has no right to it at all.
        refusals = ("append-only", "permission denied for table")
        if model in GUARDED_MODELS:
            refusals += ("outside an audit scope",)
        message = _refused(f"UPDATE {table} SET {pk} = {pk} WHERE {pk} = %s", [row_pk])
        assert any(r in message for r in refusals), message
        message = _refused(f"DELETE FROM {table} WHERE {pk} = %s", [row_pk])
        assert any(r in message for r in refusals), message
        with pytest.raises(DatabaseError), transaction.atomic():
            model._default_manager.filter(pk=row_pk).delete()
        # An open audit scope does not lift it.
        with pytest.raises(DatabaseError), audited():
            model._default_manager.filter(pk=row_pk).update(**{model._meta.pk.attname: row_pk})
        assert model._default_manager.filter(pk=row_pk).exists()


def test_access_log_appends_outside_an_audit_scope(world, sensitive):
    from vejud.audit.models import AccessLog
    from vejud.audit.services import log_access

    log_access(user=world.member_a, part="identity", case_id=sensitive.case.pk)
    assert AccessLog.objects.filter(user=world.member_a, part="identity").exists()


@committed
@pytest.mark.skipif(not POSTGRESQL, reason="the session-proof guard is PostgreSQL's")
def test_no_session_setting_switches_the_guard_off(world, sensitive):
    """The old switch, set_config('vejud.audit_scope', 'on', true), opens nothing."""
    person = sensitive.case.person
    with pytest.raises(IntegrityError, match="outside an audit scope"):
        _commit(
            "SELECT set_config('vejud.audit_scope', 'on', true)",
            "UPDATE people_person SET phone = '12345678' WHERE id = %s",
            params=[person.pk],
        )
    person.refresh_from_db()
    assert person.phone == ""


@committed
@pytest.mark.skipif(not POSTGRESQL, reason="the session-proof guard is PostgreSQL's")
def test_a_temporary_table_cannot_stand_in_for_the_audit_trail(world, sensitive):
    person = sensitive.case.person
    with pytest.raises(IntegrityError, match="outside an audit scope"):
        _commit(
            "CREATE TEMPORARY TABLE audit_auditevent (txid bigint) ON COMMIT DROP",
            "INSERT INTO audit_auditevent VALUES (txid_current())",
            "SET LOCAL search_path = pg_temp, public",
            "UPDATE people_person SET phone = '12345678' WHERE id = %s",
            params=[person.pk],
        )
    person.refresh_from_db()
    assert person.phone == ""


@committed
@pytest.mark.skipif(not POSTGRESQL, reason="the session-proof guard is PostgreSQL's")
def test_the_client_cannot_choose_an_audit_records_transaction(world, sensitive):
    """An audit record names the transaction that wrote it, whatever txid the client sends."""
    make_case(world.coordinator_a, world.unit_a, first_name="Txid")
    with connection.cursor() as cursor:
        cursor.execute("SELECT txid FROM audit_auditevent ORDER BY seq DESC LIMIT 2")
        (newest, previous) = [row[0] for row in cursor.fetchall()]
    assert newest is not None and newest != previous
