"""The chain becomes HMAC-SHA256 under VEJUD_AUDIT_KEYS; each record names its key.

Records made before this migration were linked with plain SHA-256, which anyone who can
write the database can recompute. They are checked once more here (a broken chain stops
the migration: investigate it first) and linked again under the newest audit key.
"""

import hashlib
import hmac
import json
from datetime import UTC

from django.conf import settings
from django.db import migrations, models

GENESIS_HASH = "0" * 64


def _payload(event, prev_hash):
    payload = {
        "seq": event.seq,
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "person_id": event.person_id,
        "case_id": event.case_id,
        "changes": event.changes,
        "reason": event.reason,
        "prev_hash": prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def rekey(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    if not AuditEvent.objects.exists():
        return
    key = settings.VEJUD_AUDIT_KEYS[0]
    key_id = hashlib.sha256(b"vejud audit key id:" + key.encode()).hexdigest()[:12]
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
    else:
        connection.vejud_write_mode = 2  # maintenance: past the append-only triggers
    old_prev, new_prev, batch = GENESIS_HASH, GENESIS_HASH, []
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        old = hashlib.sha256(_payload(event, old_prev)).hexdigest()
        if event.prev_hash != old_prev or event.hash != old:
            raise RuntimeError(
                f"The audit chain is broken at #{event.seq}: it is not re-keyed. "
                "Investigate with 'vejud audit verify' of the previous release."
            )
        old_prev = event.hash
        event.prev_hash = new_prev
        event.hash = hmac.new(key.encode(), _payload(event, new_prev), hashlib.sha256).hexdigest()
        event.key_id = key_id
        new_prev = event.hash
        batch.append(event)
        if len(batch) >= 2000:
            AuditEvent.objects.bulk_update(batch, ["prev_hash", "hash", "key_id"])
            batch = []
    AuditEvent.objects.bulk_update(batch, ["prev_hash", "hash", "key_id"])
    AuditChainHead.objects.filter(id=1).update(hash=new_prev)
    if connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
    else:
        connection.vejud_write_mode = 0


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain_head")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(default="", max_length=16),
            preserve_default=False,
        ),
        migrations.RunPython(rekey, migrations.RunPython.noop),
    ]
