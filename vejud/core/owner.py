"""The schema owner's connection, for the commands that change the schema.

In production the tables belong to an owner role, and the application connects as a role that
may only read and write rows (``vejud db grant-app-role``): it cannot ``TRUNCATE``, ``ALTER`` a
table or disable its triggers. ``VEJUD_MIGRATE_DATABASE_URL`` is the owner's connection to the
same database; ``migrate``, ``flush`` and ``vejud db`` switch the default connection to it
before they start. Without it they use ``DATABASE_URL``, as everything else does.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections

OWNER_KEYS = ("NAME", "USER", "PASSWORD", "HOST", "PORT")


def use_owner_connection(alias: str = DEFAULT_DB_ALIAS) -> bool:
    """Point connection ``alias`` at ``VEJUD_MIGRATE_DATABASE_URL``; False when it is not set."""
    owner = settings.VEJUD_MIGRATE_DATABASE
    if not owner or alias != DEFAULT_DB_ALIAS:
        return False
    connection = connections[alias]
    if owner["ENGINE"] != connection.settings_dict["ENGINE"]:
        raise ImproperlyConfigured(
            "VEJUD_MIGRATE_DATABASE_URL must name the same kind of database as DATABASE_URL."
        )
    connection.close()
    connection.settings_dict.update({key: owner.get(key, "") for key in OWNER_KEYS})
    return True
