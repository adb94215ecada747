"""Second factors with their secrets encrypted (issue 19).

django-otp's TOTPDevice and StaticToken hold the TOTP key and the recovery codes in plain
text. This creates vejud's own devices (``AuthenticatorDevice``, ``RecoveryCodeDevice`` with
``RecoveryCode``: the secrets as ``EncryptedTextField``), moves every existing device into
them (the same key, step, drift, last step, throttle and timestamps, so the user's app keeps
working and a code used before is not accepted again) and deletes the plaintext rows.
Sessions verified with an old device ask for a code once more (their device id is gone).
Run ``VACUUM`` (PostgreSQL: ``VACUUM FULL`` of the two otp tables) afterwards so no deleted
plaintext row stays in the database files.
"""

import django.db.models.deletion
import django_otp.plugins.otp_totp.models
import vejud.core.crypto
from django.conf import settings
from django.db import migrations, models


TOTP_FIELDS = ("key", "step", "t0", "digits", "tolerance", "drift", "last_t")
DEVICE_FIELDS = (
    "user_id",
    "name",
    "confirmed",
    "throttling_failure_timestamp",
    "throttling_failure_count",
    "created_at",
    "last_used_at",
)


def move_devices(apps, schema_editor):
    """Copy every django-otp device into the encrypted ones, then delete the plaintext rows."""
    alias = schema_editor.connection.alias
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    StaticDevice = apps.get_model("otp_static", "StaticDevice")
    AuthenticatorDevice = apps.get_model("accounts", "AuthenticatorDevice")
    RecoveryCodeDevice = apps.get_model("accounts", "RecoveryCodeDevice")
    RecoveryCode = apps.get_model("accounts", "RecoveryCode")
    for old in TOTPDevice.objects.using(alias).order_by("pk"):
        AuthenticatorDevice.objects.using(alias).create(
            **{name: getattr(old, name) for name in DEVICE_FIELDS + TOTP_FIELDS}
        )
    for old in StaticDevice.objects.using(alias).order_by("pk"):
        device = RecoveryCodeDevice.objects.using(alias).create(
            **{name: getattr(old, name) for name in DEVICE_FIELDS}
        )
        RecoveryCode.objects.using(alias).bulk_create(
            RecoveryCode(device=device, code=token.token) for token in old.token_set.all()
        )
    StaticDevice.objects.using(alias).all().delete()  # its tokens go with it (CASCADE)
    TOTPDevice.objects.using(alias).all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_user_access_generation'),
        ('otp_totp', '0003_add_timestamps'),
        ('otp_static', '0003_add_timestamps'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuthenticatorDevice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='The human-readable name of this device.', max_length=64)),
                ('confirmed', models.BooleanField(default=True, help_text='Is this device ready for use?')),
                ('throttling_failure_timestamp', models.DateTimeField(blank=True, default=None, help_text='A timestamp of the last failed verification attempt. Null if last attempt succeeded.', null=True)),
                ('throttling_failure_count', models.PositiveIntegerField(default=0, help_text='Number of successive failed attempts.')),
                ('created_at', models.DateTimeField(auto_now_add=True, help_text='The date and time when this device was initially created in the system.', null=True)),
                ('last_used_at', models.DateTimeField(blank=True, help_text='The most recent date and time this device was used.', null=True)),
                ('key', vejud.core.crypto.EncryptedTextField(default=django_otp.plugins.otp_totp.models.default_key, verbose_name='secret key')),
                ('step', models.PositiveSmallIntegerField(default=30)),
                ('t0', models.BigIntegerField(default=0)),
                ('digits', models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)),
                ('tolerance', models.PositiveSmallIntegerField(default=1)),
                ('drift', models.SmallIntegerField(default=0)),
                ('last_t', models.BigIntegerField(default=-1)),
                ('user', models.ForeignKey(help_text='The user that this device belongs to.', on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'authenticator app',
                'verbose_name_plural': 'authenticator apps',
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='RecoveryCodeDevice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='The human-readable name of this device.', max_length=64)),
                ('confirmed', models.BooleanField(default=True, help_text='Is this device ready for use?')),
                ('throttling_failure_timestamp', models.DateTimeField(blank=True, default=None, help_text='A timestamp of the last failed verification attempt. Null if last attempt succeeded.', null=True)),
                ('throttling_failure_count', models.PositiveIntegerField(default=0, help_text='Number of successive failed attempts.')),
                ('created_at', models.DateTimeField(auto_now_add=True, help_text='The date and time when this device was initially created in the system.', null=True)),
                ('last_used_at', models.DateTimeField(blank=True, help_text='The most recent date and time this device was used.', null=True)),
                ('user', models.ForeignKey(help_text='The user that this device belongs to.', on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'recovery codes',
                'verbose_name_plural': 'recovery codes',
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='RecoveryCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', vejud.core.crypto.EncryptedTextField(verbose_name='code')),
                ('device', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='codes', to='accounts.recoverycodedevice')),
            ],
            options={
                'verbose_name': 'recovery code',
                'verbose_name_plural': 'recovery codes',
            },
        ),
        migrations.RunPython(move_devices, migrations.RunPython.noop, elidable=False),
    ]
