"""The application's database role cannot rewrite the audit trail (PostgreSQL).

A database of the test's own on the test server, with two roles made for this run: the owner,
who runs ``vejud migrate`` (``VEJUD_MIGRATE_DATABASE_URL``), and the application's role
(``DATABASE_URL``), which ``migrate`` grants exactly its rights at the end. Connected as the
application's role: ``TRUNCATE``, disabling or dropping the guard's triggers, editing or
deleting audit rows and switching the old session variable all fail, and a change without an
audit record is refused at commit; the application's own work (services writing with their
audit records, ``vejud audit verify``) succeeds.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from django.conf import settings
from psycopg import errors

from tests.test_production import BIN, ROOT, clean_env, real_secrets

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="database roles and privileges exist only on PostgreSQL (SQLite has none)",
    ),
]

WORK = """
import django
django.setup()
from django.core.management import call_command
from vejud.cases.services import journal_add
from vejud.testing import make_case, make_world
world = make_world()
case = make_case(world.coordinator_a, world.unit_a)
journal_add(actor=world.member_a, case=case, text="Written by the application role.")
call_command("audit", "verify")
print(case.id)
"""


@dataclass
class Database:
    name: str
    owner: str
    app: str
    server: str  # postgres://user@host:port of the test server's superuser

    def url(self, role: str) -> str:
        host = self.server.split("@", 1)[1]
        return f"postgres://{role}:{role}-pw@{host}/{self.name}"

    def env(self, **extra: str) -> dict[str, str]:
        return clean_env(
            DEBUG="0",
            DATABASE_URL=self.url(self.app),
            VEJUD_MIGRATE_DATABASE_URL=self.url(self.owner),
            VEJUD_TESTING="1",  # plain static storage
            ALLOWED_HOSTS="127.0.0.1",
            PYTHONPATH=str(ROOT),
            **extra,
        )

    def vejud(self, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / "vejud"), *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )


def _superuser(database: str) -> psycopg.Connection:
    db = settings.DATABASES["default"]
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=database,
        autocommit=True,
    )


@pytest.fixture(scope="module")
def database() -> Iterator[tuple[Database, dict[str, str], int]]:
    suffix = secrets.token_hex(4)
    db = settings.DATABASES["default"]
    server = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    made = Database(
        f"vejud_roles_{suffix}", f"vejud_t{suffix}_owner", f"vejud_t{suffix}_app", server
    )
    with _superuser("postgres") as admin:
        for role in (made.owner, made.app):
            admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{role}-pw'")
        admin.execute(f"CREATE DATABASE {made.name} OWNER {made.owner}")
    try:
        env = made.env(**real_secrets())
        migrated = made.vejud("migrate", "-v0", env=env)
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        work = subprocess.run(
            [sys.executable, "-c", WORK],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert work.returncode == 0, work.stderr[-3000:]
        yield made, env, int(work.stdout.strip().splitlines()[-1])
    finally:
        with _superuser("postgres") as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {made.name} WITH (FORCE)")
            for role in (made.owner, made.app):
                admin.execute(f"DROP ROLE IF EXISTS {role}")


def _as(made: Database, role: str) -> psycopg.Connection:
    return psycopg.connect(made.url(role), autocommit=True)


def test_the_tables_belong_to_the_owner_and_the_app_role_did_its_work(database):
    made, _, case_id = database
    with _as(made, made.app) as app:
        owners = app.execute(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchall()
        assert owners == [(made.owner,)]
        actions = {
            row[0]
            for row in app.execute(
                "SELECT action FROM audit_auditevent WHERE case_id = %s", [case_id]
            ).fetchall()
        }
        assert {"case.open", "journal.add"} <= actions, actions
        notes = app.execute("SELECT count(*) FROM cases_journalentry WHERE case_id = %s", [case_id])
        assert notes.fetchone() == (1,)


@pytest.mark.parametrize(
    ("statement", "refusal"),
    [
        ("TRUNCATE audit_auditevent", errors.InsufficientPrivilege),
        ("TRUNCATE audit_accesslog", errors.InsufficientPrivilege),
        ("TRUNCATE cases_case CASCADE", errors.InsufficientPrivilege),
        ("ALTER TABLE audit_auditevent DISABLE TRIGGER USER", errors.InsufficientPrivilege),
        ("ALTER TABLE cases_case DISABLE TRIGGER vejud_audit_guard", errors.InsufficientPrivilege),
        ("DROP TRIGGER vejud_audit_guard ON cases_case", errors.InsufficientPrivilege),
        ("DROP TRIGGER vejud_append_only ON audit_auditevent", errors.InsufficientPrivilege),
        ("ALTER TABLE audit_auditevent OWNER TO CURRENT_USER", errors.InsufficientPrivilege),
        ("SET session_replication_role = replica", errors.InsufficientPrivilege),
        ("UPDATE audit_auditevent SET reason = 'rewritten'", errors.InsufficientPrivilege),
        ("DELETE FROM audit_auditevent", errors.InsufficientPrivilege),
        ("DELETE FROM audit_accesslog", errors.InsufficientPrivilege),
        ("UPDATE audit_auditchainhead SET seq = 0", None),  # allowed: each write moves the head
        ("CREATE TABLE audit_auditevent_copy (id int)", errors.InsufficientPrivilege),
    ],
)
def test_the_app_role_cannot_rewrite_or_switch_off_the_trail(database, statement, refusal):
    made, _, _ = database
    with _as(made, made.app) as app:
        if refusal is None:
            with app.transaction():
                app.execute(statement)
                raise psycopg.Rollback()  # leave the head as it was
            return
        with pytest.raises(refusal):
            app.execute(statement)


def _unaudited_change(app: psycopg.Connection, case_id: int) -> None:
    with app.transaction():
        app.execute("SELECT set_config('vejud.audit_scope', 'on', true)")
        app.execute("UPDATE cases_case SET reference = 'EX-2000-99999' WHERE id = %s", [case_id])


def test_the_session_variable_opens_no_unaudited_write(database):
    made, _, case_id = database
    with _as(made, made.app) as app:
        read = "SELECT reference FROM cases_case WHERE id = %s"
        before = app.execute(read, [case_id]).fetchone()
        with pytest.raises(errors.IntegrityConstraintViolation, match="outside an audit scope"):
            _unaudited_change(app, case_id)
        assert app.execute(read, [case_id]).fetchone() == before


def test_grant_is_idempotent_and_a_later_table_gets_only_row_rights(database):
    made, env, _ = database
    for _ in range(2):
        granted = made.vejud("db", "grant-app-role", env=env)
        assert granted.returncode == 0, granted.stderr[-2000:]
        assert f"The role {made.app} holds exactly the application's rights." in granted.stdout
    with _as(made, made.owner) as owner:
        owner.execute("CREATE TABLE later_table (id bigint GENERATED BY DEFAULT AS IDENTITY)")
    try:
        with _as(made, made.app) as app:
            app.execute("INSERT INTO later_table DEFAULT VALUES")
            assert app.execute("SELECT count(*) FROM later_table").fetchone() == (1,)
            with pytest.raises(errors.InsufficientPrivilege):
                app.execute("TRUNCATE later_table")
    finally:
        with _as(made, made.owner) as owner:
            owner.execute("DROP TABLE later_table")


def test_a_superuser_or_the_owner_is_refused_as_the_app_role(database):
    made, env, _ = database
    refused = made.vejud("db", "grant-app-role", "--role", made.owner, env=env)
    assert refused.returncode != 0
    assert "is, or is a member of, the owner" in refused.stderr
    checked = made.vejud("db", "grant-app-role", "--check", "--role", "postgres", env=env)
    assert checked.returncode != 0
    assert "superuser" in checked.stderr
