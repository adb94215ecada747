"""Loading the reference data the system ships (``vejud/reference/data/*.csv``).

The files are the source; rows are matched by their key (a code, or a name where
the model has no code) and created or updated, never duplicated or deleted.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction

from vejud.audit.services import audit_record, audited
from vejud.organisations.models import Municipality, PoliceDistrict, Unit, UnitKind
from vejud.people.models import GangGroup

REFERENCE_DIR = Path(__file__).resolve().parent / "data"


class ReferenceDataError(ValueError):
    """A reference file is inconsistent (unknown district, parent not defined earlier, ...)."""


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ReferenceLoadResult:
    """What ``reference_load`` did, per model."""

    counts: dict[str, LoadCounts] = field(default_factory=dict)

    def count(self, name: str) -> LoadCounts:
        return self.counts.setdefault(name, LoadCounts())

    @property
    def changed(self) -> int:
        return sum(c.created + c.updated for c in self.counts.values())


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            yield {key: (value or "").strip() for key, value in row.items()}


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """The values as the audit trail stores them (a related row by its key)."""
    return {name: getattr(value, "pk", value) for name, value in values.items()}


def _sync(
    model: type[models.Model],
    lookup: dict[str, Any],
    values: dict[str, Any],
    *,
    counts: LoadCounts,
    missing_only: bool,
    fallback: dict[str, Any] | None = None,
) -> Any:
    """Create the row found by ``lookup`` (or ``fallback``) or bring it in line with ``values``."""
    manager = model._default_manager
    instance = manager.filter(**lookup).first()
    if instance is None and fallback is not None:
        instance = manager.filter(**fallback).first()
        if instance is not None and not missing_only:
            values = {**lookup, **values}
    if instance is None:
        instance = model(**lookup, **values)
        instance.full_clean()
        with audited():
            instance.save()
            audit_record(
                actor=None, action="reference.create", obj=instance, changes=_plain(values)
            )
        counts.created += 1
        return instance
    if missing_only:
        counts.unchanged += 1
        return instance
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if not changed:
        counts.unchanged += 1
        return instance
    for name in changed:
        setattr(instance, name, values[name])
    instance.full_clean()
    with audited():
        instance.save(update_fields=changed)
        audit_record(
            actor=None,
            action="reference.update",
            obj=instance,
            changes=_plain({name: values[name] for name in changed}),
        )
    counts.updated += 1
    return instance


@transaction.atomic
def reference_load(
    *, directory: Path = REFERENCE_DIR, missing_only: bool = False
) -> ReferenceLoadResult:
    """Load the shipped reference data; with ``missing_only`` existing rows are left as they are.

    Every row created or changed is in the audit trail (by the system, no actor)."""
    result = ReferenceLoadResult()

    districts: dict[str, PoliceDistrict] = {}
    for row in _rows(directory / "police_districts.csv"):
        districts[row["code"]] = _sync(
            PoliceDistrict,
            {"code": row["code"]},
            {"name": row["name"]},
            counts=result.count("police districts"),
            missing_only=missing_only,
        )
    by_name = {d.name: d for d in PoliceDistrict.objects.all()}

    for row in _rows(directory / "municipalities.csv"):
        district = by_name.get(row["police_district"])
        if district is None:
            raise ReferenceDataError(
                f"municipalities.csv: unknown police district {row['police_district']!r}"
            )
        _sync(
            Municipality,
            {"name": row["municipality"]},
            {"police_district": district},
            counts=result.count("municipalities"),
            missing_only=missing_only,
        )

    units: dict[str, Unit] = {}
    for row in _rows(directory / "units.csv"):
        parent = _lookup(units, row["parent"], Unit, "code", "units.csv: parent")
        district = _lookup(
            districts, row["police_district"], PoliceDistrict, "code", "units.csv: district"
        )
        municipality = None
        if row["municipality"]:
            municipality = Municipality.objects.filter(name=row["municipality"]).first()
            if municipality is None:
                raise ReferenceDataError(f"units.csv: unknown municipality {row['municipality']!r}")
        units[row["code"]] = _sync(
            Unit,
            {"code": row["code"]},
            {
                "name": row["name"],
                "kind": row["kind"],
                "parent": parent,
                "police_district": district,
                "municipality": municipality,
                "institution_type": row["institution_type"],
            },
            counts=result.count("units"),
            missing_only=missing_only,
            # There is only one national contact point, whatever its code has become.
            fallback={"kind": UnitKind.NATIONAL} if row["kind"] == UnitKind.NATIONAL else None,
        )

    for row in _rows(directory / "gang_groups.csv"):
        _sync(
            GangGroup,
            {"name": row["name"]},
            {"kind": row["kind"]},
            counts=result.count("groups"),
            missing_only=missing_only,
        )
    return result


def _lookup(
    loaded: dict[str, Any], key: str, model: type[models.Model], field_name: str, where: str
) -> Any:
    """Return the row named by ``key`` (loaded earlier in this run, or already stored)."""
    if not key:
        return None
    if key in loaded:
        return loaded[key]
    found = model._default_manager.filter(**{field_name: key}).first()
    if found is None:
        raise ReferenceDataError(f"{where} {key!r} is not defined earlier")
    return found
