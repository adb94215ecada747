from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from vejud.audit.guard import GUARDED_MODELS, missing_triggers
from vejud.audit.services import AuditMissingError, audited, verify_chain
from vejud.people.models import Person
from vejud.testing import make_case


def test_every_guarded_table_has_its_triggers(db):
    assert GUARDED_MODELS
    assert missing_triggers(connection) == []


def test_direct_write_without_audit_scope_is_refused(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(
            first_name="X", last_name="Y", birth_date="2000-01-01", name_search="x y"
        )


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


def _refused(sql: str, params: list | None = None) -> str:
    with (
        pytest.raises(IntegrityError) as excinfo,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params or [])
    return str(excinfo.value)


def test_every_guarded_model_refuses_direct_writes(world, sensitive):
    _populate_every_case_and_person_table(world, sensitive)
    qn = connection.ops.quote_name
    covered = set()
    for model in GUARDED_MODELS:
        table, pk = qn(model._meta.db_table), qn(str(model._meta.pk.column))
        assert "audit scope" in _refused(f"INSERT INTO {table} DEFAULT VALUES"), model
        row_pk = model._default_manager.values_list("pk", flat=True).first()
        if row_pk is None and connection.vendor == "sqlite":
            # SQLite's triggers are per row: with no row there is nothing to refuse.
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
        # A table that is also guarded may refuse first for want of an audit scope.
        refusals = (
            ("append-only", "outside an audit scope")
            if model in GUARDED_MODELS
            else ("append-only",)
        )
        message = _refused(f"UPDATE {table} SET {pk} = {pk} WHERE {pk} = %s", [row_pk])
        assert any(r in message for r in refusals), message
        message = _refused(f"DELETE FROM {table} WHERE {pk} = %s", [row_pk])
        assert any(r in message for r in refusals), message
        with pytest.raises(IntegrityError), transaction.atomic():
            model._default_manager.filter(pk=row_pk).delete()
        # An open audit scope does not lift it.
        with pytest.raises(IntegrityError), audited():
            model._default_manager.filter(pk=row_pk).update(**{model._meta.pk.attname: row_pk})
        assert model._default_manager.filter(pk=row_pk).exists()


def test_access_log_appends_outside_an_audit_scope(world, sensitive):
    from vejud.audit.models import AccessLog
    from vejud.audit.services import log_access

    log_access(user=world.member_a, part="identity", case_id=sensitive.case.pk)
    assert AccessLog.objects.filter(user=world.member_a, part="identity").exists()
