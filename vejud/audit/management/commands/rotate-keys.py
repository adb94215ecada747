"""``vejud rotate-keys``: re-encrypt every encrypted field under the newest key.

Rotation: put the new key first in ``VEJUD_FIELD_KEYS`` (keeping the old ones
after it), run ``vejud rotate-keys``, check with ``vejud rotate-keys --check``,
then remove the old keys. The models are found by field type, so a new
``EncryptedTextField`` anywhere is rotated without touching this command.

Encrypted tables are guarded: each batch is one audited transaction with one
summary audit record. Values are read and written as raw ciphertext, so no
plain value passes through Python objects, queries or logs here.

The CPR lookup hashes (``VEJUD_HMAC_KEY``, newest first) are re-hashed the same way:
put the new key first, run ``vejud rotate-keys`` (each person's CPR number is decrypted
in memory and hashed under the newest key, in audited batches), check with ``--check``,
then remove the old keys. Until then lookups try every key, so duplicates are found.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

from vejud.audit.services import audit_record, audited
from vejud.core.crypto import EncryptedTextField, decrypt_text, keyed_hash, rotate_token

CPR_TABLE = "people_person"  # the one table of keyed lookup hashes (Person.cpr_hash)


@dataclass(frozen=True)
class Target:
    """A model and its encrypted columns."""

    model: type[models.Model]
    columns: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.model._meta.label


def encrypted_targets() -> list[Target]:
    """Return every concrete model with at least one EncryptedTextField column."""
    targets = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        columns = tuple(
            str(f.column) for f in meta.concrete_fields if isinstance(f, EncryptedTextField)
        )
        if columns:
            targets.append(Target(model=model, columns=columns))
    return targets


def _pk_column(model: type[models.Model]) -> str:
    pk = model._meta.pk
    assert pk is not None
    return str(pk.column)


class Command(BaseCommand):
    help = (
        "Re-encrypt protected fields under the newest VEJUD_FIELD_KEYS key and re-hash the CPR "
        "lookup hashes under the newest VEJUD_HMAC_KEY key (in audited batches)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Rows per transaction (default 500)."
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; exit non-zero if any value is not under the newest key.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = max(1, options["batch_size"])
        # audited() works on the default connection, so this command does too.
        self.connection = connections[DEFAULT_DB_ALIAS]
        self.newest = Fernet(settings.VEJUD_FIELD_KEYS[0].encode())
        stale_total = rotated_total = 0
        for target in encrypted_targets():
            if options["check"]:
                stale = sum(
                    self._stale_count(rows, target) for rows in self._batches(target, batch_size)
                )
                stale_total += stale
                self.stdout.write(f"{target.label}: {stale} value(s) not under the newest key")
            else:
                rotated = self._rotate(target, batch_size)
                rotated_total += rotated
                self.stdout.write(f"{target.label}: {rotated} value(s) re-encrypted")
        if options["check"]:
            stale = self._stale_hashes(batch_size)
            stale_total += stale
            self.stdout.write(f"{CPR_TABLE}: {stale} CPR hash(es) not under the newest key")
        else:
            rehashed = self._rehash(batch_size)
            rotated_total += rehashed
            self.stdout.write(f"{CPR_TABLE}: {rehashed} CPR hash(es) re-hashed")
        if options["check"]:
            if stale_total:
                raise CommandError(
                    f"{stale_total} value(s) still need the old keys: run 'vejud rotate-keys'.",
                    returncode=1,
                )
            self.stdout.write(self.style.SUCCESS("Every value is under the newest key."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Done: {rotated_total} value(s) re-encrypted."))

    def _fetch(
        self, target: Target, last: Any, batch_size: int, *, lock: bool
    ) -> list[tuple[Any, ...]]:
        """Return the next batch of (pk, *ciphertexts) rows after primary key ``last``."""
        qn = self.connection.ops.quote_name
        meta = target.model._meta
        pk = qn(_pk_column(target.model))
        columns = ", ".join(qn(c) for c in target.columns)
        where, params = ("", []) if last is None else (f" WHERE {pk} > %s", [last])
        # Identifiers come from model metadata, never from input.
        sql = f"SELECT {pk}, {columns} FROM {qn(meta.db_table)}{where} ORDER BY {pk} LIMIT %s"  # noqa: S608
        if lock and self.connection.features.has_select_for_update:
            sql += " FOR UPDATE"
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [*params, batch_size])
            return list(cursor.fetchall())

    def _batches(self, target: Target, batch_size: int) -> Iterator[list[tuple[Any, ...]]]:
        last: Any = None
        while rows := self._fetch(target, last, batch_size, lock=False):
            yield rows
            last = rows[-1][0]

    def _is_current(self, token: str) -> bool:
        try:
            self.newest.decrypt(token.encode("ascii"))
        except InvalidToken:
            return False
        return True

    def _stale_count(self, rows: list[tuple[Any, ...]], target: Target) -> int:
        return sum(1 for row in rows for token in row[1:] if token and not self._is_current(token))

    def _rotate(self, target: Target, batch_size: int) -> int:
        """Re-encrypt one model's values, batch by batch; return how many changed."""
        qn = self.connection.ops.quote_name
        meta = target.model._meta
        total = 0
        last: Any = None
        while True:
            with transaction.atomic(using=self.connection.alias):
                rows = self._fetch(target, last, batch_size, lock=True)
                if not rows:
                    return total
                last = rows[-1][0]
                updates = self._rotated_rows(rows, target)
                if not updates:
                    continue
                with audited():
                    with self.connection.cursor() as cursor:
                        for pk, changed in updates:
                            assignments = ", ".join(f"{qn(column)} = %s" for column in changed)
                            cursor.execute(
                                f"UPDATE {qn(meta.db_table)} SET {assignments}"  # noqa: S608
                                f" WHERE {qn(_pk_column(target.model))} = %s",
                                [*changed.values(), pk],
                            )
                    values = sum(len(changed) for _pk, changed in updates)
                    audit_record(
                        actor=None,
                        action="crypto.rotate",
                        obj=target.model(pk=updates[0][0]),
                        changes={
                            "model": target.label,
                            "fields": list(target.columns),
                            "rows": len(updates),
                            "values": values,
                            "first_pk": updates[0][0],
                            "last_pk": updates[-1][0],
                        },
                        reason="Encryption key rotation",
                    )
                total += values

    # CPR lookup hashes ------------------------------------------------------------------

    def _cpr_rows(self, last: Any, batch_size: int, *, lock: bool) -> list[tuple[Any, ...]]:
        """Return the next batch of (pk, cpr ciphertext, cpr_hash) of hashed persons."""
        where, params = ("", []) if last is None else (" AND id > %s", [last])
        sql = (
            f"SELECT id, cpr, cpr_hash FROM {CPR_TABLE}"  # noqa: S608 (constant identifiers)
            f" WHERE cpr_hash IS NOT NULL{where} ORDER BY id LIMIT %s"
        )
        if lock and self.connection.features.has_select_for_update:
            sql += " FOR UPDATE"
        with self.connection.cursor() as cursor:
            cursor.execute(sql, [*params, batch_size])
            return list(cursor.fetchall())

    @staticmethod
    def _new_hashes(rows: list[tuple[Any, ...]]) -> list[tuple[Any, str]]:
        """Return (pk, hash under the newest key) for the rows whose hash is another key's."""
        updates = []
        for pk, token, stored in rows:
            fresh = keyed_hash(decrypt_text(token), purpose="cpr")
            if fresh != stored:
                updates.append((pk, fresh))
        return updates

    def _stale_hashes(self, batch_size: int) -> int:
        stale, last = 0, None
        while rows := self._cpr_rows(last, batch_size, lock=False):
            stale += len(self._new_hashes(rows))
            last = rows[-1][0]
        return stale

    def _rehash(self, batch_size: int) -> int:
        """Re-hash the CPR lookup hashes under the newest key, batch by batch."""
        person = apps.get_model("people", "Person")  # by name: the trail sits below the apps
        total, last = 0, None
        while True:
            with transaction.atomic(using=self.connection.alias):
                rows = self._cpr_rows(last, batch_size, lock=True)
                if not rows:
                    return total
                last = rows[-1][0]
                updates = self._new_hashes(rows)
                if not updates:
                    continue
                with audited():
                    with self.connection.cursor() as cursor:
                        for pk, fresh in updates:
                            cursor.execute(
                                f"UPDATE {CPR_TABLE} SET cpr_hash = %s WHERE id = %s",  # noqa: S608
                                [fresh, pk],
                            )
                    audit_record(
                        actor=None,
                        action="crypto.rehash",
                        obj=person(pk=updates[0][0]),
                        changes={
                            "model": person._meta.label,
                            "fields": ["cpr_hash"],
                            "rows": len(updates),
                            "first_pk": updates[0][0],
                            "last_pk": updates[-1][0],
                        },
                        reason="CPR lookup key rotation",
                    )
                total += len(updates)

    def _rotated_rows(
        self, rows: list[tuple[Any, ...]], target: Target
    ) -> list[tuple[Any, dict[str, str]]]:
        updates = []
        for row in rows:
            pk, tokens = row[0], row[1:]
            changed: dict[str, str] = {}
            for column, token in zip(target.columns, tokens, strict=True):
                if not token or self._is_current(token):
                    continue
                try:
                    changed[column] = rotate_token(token)
                except InvalidToken as exc:
                    raise CommandError(
                        f"{target.label} #{pk}: {column} cannot be read with any configured key."
                    ) from exc
            if changed:
                updates.append((pk, changed))
        return updates
