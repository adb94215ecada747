"""Settings that come from the environment take effect (read in a fresh interpreter)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

PROBE = (
    "import django, json; django.setup(); from django.conf import settings; "
    "d = settings.DATABASES['default']; "
    "print(json.dumps([d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS']]))"
)


def _database_settings(**env: str) -> list:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DB_CONN_MAX_AGE"}
    }
    environment.update(DJANGO_SETTINGS_MODULE="vejud.settings", **env)
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_postgres_connections_persist_for_the_configured_age():
    url = "postgres://app@127.0.0.1:5432/vejud"
    assert _database_settings(DATABASE_URL=url) == [60, True]
    assert _database_settings(DATABASE_URL=url, DB_CONN_MAX_AGE="300") == [300, True]
    assert _database_settings(DATABASE_URL=url, DB_CONN_MAX_AGE="0") == [0, True]
