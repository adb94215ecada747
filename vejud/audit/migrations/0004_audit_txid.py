"""Each audit record names its transaction (PostgreSQL), for the guard that replaces the
session variable vejud.audit_scope: the old statement triggers go now, the deferred
constraint triggers come with the post-migrate handler (vejud.audit.guard)."""

from django.conf import settings
from django.db import migrations, models


def drop_session_switch(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS vejud_require_audit_scope() CASCADE")


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_keyed_chain'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='txid',
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['txid'], name='audit_txid'),
        ),
        migrations.RunPython(drop_session_switch, migrations.RunPython.noop),
    ]
