"""On PostgreSQL, store the encrypted chunks without compression: ciphertext does not
compress, and trying costs the worker time on every chunk (STORAGE EXTERNAL: out of line,
uncompressed)."""

from django.db import migrations


def external(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE exports_exportchunk ALTER COLUMN data SET STORAGE EXTERNAL"
        )


class Migration(migrations.Migration):
    dependencies = [("exports", "0001_initial")]

    operations = [migrations.RunPython(external, migrations.RunPython.noop)]
