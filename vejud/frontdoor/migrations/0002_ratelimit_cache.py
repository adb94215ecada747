"""The shared cache table that counts public form submissions per client address."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.db import migrations


def create(apps: Any, schema_editor: Any) -> None:
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute("DROP TABLE IF EXISTS vejud_ratelimit_cache")


class Migration(migrations.Migration):
    dependencies = [("frontdoor", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
