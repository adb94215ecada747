"""The user's access generation: raised by the database whenever access may have changed.

A session keeps the user's scope and second-factor verification for a minute
(``vejud.accounts.middleware.SessionOTPMiddleware``) and only while
``User.access_generation`` is what it was when they were checked. Triggers raise it on
every insert, delete and relevant update of a membership or a second-factor device, so
every path (services, the admin, a migration, a shell) takes effect on the user's next
request; another trigger keeps it from going down (a save of a stale ``User`` object
cannot bring back a value a session still holds).
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from vejud.core.triggers import installed_triggers

USER_TABLE = "accounts_user"
# Table -> the update that changes access ("" = every update).
WATCHED: dict[str, str] = {
    "accounts_membership": "",
    "accounts_authenticatordevice": "OLD.confirmed <> NEW.confirmed OR OLD.user_id <> NEW.user_id",
    "accounts_recoverycodedevice": "OLD.confirmed <> NEW.confirmed OR OLD.user_id <> NEW.user_id",
    # A single sign-on subject is the device of a provider's second factor; linking and
    # unlinking flip ``confirmed`` (a NULL user is never compared alone).
    "accounts_providersubject": "OLD.confirmed <> NEW.confirmed OR OLD.user_id <> NEW.user_id",
}
_BUMP = "UPDATE accounts_user SET access_generation = access_generation + 1 WHERE id"

PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION vejud_access_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_BUMP} = NEW.user_id;
  ELSIF TG_OP = 'DELETE' THEN
    {_BUMP} = OLD.user_id;
  ELSE
    {_BUMP} IN (OLD.user_id, NEW.user_id);
  END IF;
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION vejud_access_generation_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.access_generation := OLD.access_generation;
  RETURN NEW;
END $$;
"""
TRIGGER_PREFIX = "vejud_access_"


def _names(table: str) -> list[str]:
    return [f"{TRIGGER_PREFIX}{table}_{op}" for op in ("insert", "delete", "update")]


def _postgresql(cursor: object, existing: set[str]) -> None:
    execute = cursor.execute  # type: ignore[attr-defined]
    execute(PG_FUNCTIONS)
    execute(
        f"CREATE OR REPLACE TRIGGER {TRIGGER_PREFIX}kept BEFORE UPDATE ON {USER_TABLE}"
        " FOR EACH ROW WHEN (NEW.access_generation < OLD.access_generation)"
        " EXECUTE FUNCTION vejud_access_generation_kept()"
    )
    for table, changed in WATCHED.items():
        if table not in existing:
            continue
        insert, delete, update = _names(table)
        when = f" WHEN ({changed.replace('<>', 'IS DISTINCT FROM')})" if changed else ""
        for name, event, condition in (
            (insert, "INSERT", ""),
            (delete, "DELETE", ""),
            (update, "UPDATE", when),
        ):
            execute(
                f"CREATE OR REPLACE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW"
                f"{condition} EXECUTE FUNCTION vejud_access_changed()"
            )


def _sqlite(cursor: object, existing: set[str]) -> None:
    execute = cursor.execute  # type: ignore[attr-defined]
    statements = [
        (
            f"{TRIGGER_PREFIX}kept",
            f"AFTER UPDATE OF access_generation ON {USER_TABLE}"
            " WHEN NEW.access_generation < OLD.access_generation",
            "UPDATE accounts_user SET access_generation = OLD.access_generation WHERE id = NEW.id",
        )
    ]
    for table, changed in WATCHED.items():
        if table not in existing:
            continue
        insert, delete, update = _names(table)
        when = f" WHEN {changed}" if changed else ""
        statements += [
            (insert, f"AFTER INSERT ON {table}", f"{_BUMP} = NEW.user_id"),
            (delete, f"AFTER DELETE ON {table}", f"{_BUMP} = OLD.user_id"),
            (update, f"AFTER UPDATE ON {table}{when}", f"{_BUMP} IN (OLD.user_id, NEW.user_id)"),
        ]
    for name, event, body in statements:
        execute(f'DROP TRIGGER IF EXISTS "{name}"')
        execute(f'CREATE TRIGGER "{name}" {event} BEGIN {body}; END')


def install_triggers(connection: BaseDatabaseWrapper) -> None:
    """Create (or replace) the triggers that raise and keep the access generation."""
    existing = set(connection.introspection.table_names())
    if USER_TABLE not in existing:
        return  # before the first migrate
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _postgresql(cursor, existing)
        elif connection.vendor == "sqlite":
            _sqlite(cursor, existing)
        else:  # pragma: no cover - only PostgreSQL and SQLite are supported
            raise RuntimeError(f"Unsupported database vendor {connection.vendor}")


def missing_triggers(connection: BaseDatabaseWrapper) -> list[str]:
    """Return the names of the access-generation triggers that are not installed (or disabled)."""
    expected = [f"{TRIGGER_PREFIX}kept"] + [n for table in WATCHED for n in _names(table)]
    present = installed_triggers(connection, TRIGGER_PREFIX)
    return [name for name in expected if name not in present]
